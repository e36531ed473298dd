import Localization

/// A change to an account's second factors that its owner is told about by mail, in both apps:
/// if it was not them, the mail is how they find out. Each app's services queue the notice in
/// the change's own transaction (the outbox), so a change never commits without its notice.
public enum SecondFactorEvent: Sendable, Equatable {
    /// A passkey was added (`name` is what its owner called it).
    case passkeyAdded(name: String)
    /// A passkey was removed.
    case passkeyRemoved(name: String)
    /// An authenticator app was turned on.
    case authenticatorAppEnabled
    /// The authenticator app was turned off.
    case authenticatorAppRemoved
    /// A new set of recovery codes replaced the old one.
    case recoveryCodesRegenerated
    /// A recovery code was used to sign in; `remaining` are left.
    case recoveryCodeUsed(remaining: Int)
    /// A passkey signed with a counter lower than one it had used: it may have been copied.
    case passkeyCounterRegressed(name: String)

    /// The outbox `kind` of the notice.
    public var kind: String {
        switch self {
        case .passkeyAdded: "passkey_added"
        case .passkeyRemoved: "passkey_removed"
        case .authenticatorAppEnabled: "authenticator_app_enabled"
        case .authenticatorAppRemoved: "authenticator_app_removed"
        case .recoveryCodesRegenerated: "recovery_codes_regenerated"
        case .recoveryCodeUsed: "recovery_code_used"
        case .passkeyCounterRegressed: "passkey_counter_regressed"
        }
    }

    /// The notice's subject and its sentence about what happened, for an account on `product`
    /// ("Latchkey", "Latchkey ID"). The apps' mail templates add the greeting and the advice.
    public func words(product: String) -> (subject: Message, what: Message) {
        let product = ["product": product]
        switch self {
        case .passkeyAdded(let name):
            return (Message("A passkey was added to your {{product}} account", product),
                    Message("A passkey (\u{201C}{{name}}\u{201D}) was just added to your {{product}} account: it can now be used to sign in.",
                            product.merging(["name": name]) { $1 }))
        case .passkeyRemoved(let name):
            return (Message("A passkey was removed from your {{product}} account", product),
                    Message("The passkey \u{201C}{{name}}\u{201D} was just removed from your {{product}} account: it can no longer be used to sign in.",
                            product.merging(["name": name]) { $1 }))
        case .authenticatorAppEnabled:
            return (Message("Two-step sign-in is on for your {{product}} account", product),
                    Message("An authenticator app was just set up on your {{product}} account: signing in now asks for one of its codes.", product))
        case .authenticatorAppRemoved:
            return (Message("The authenticator app was removed from your {{product}} account", product),
                    Message("The authenticator app was just removed from your {{product}} account: its codes no longer work.", product))
        case .recoveryCodesRegenerated:
            return (Message("New recovery codes for your {{product}} account", product),
                    Message("New recovery codes were just made for your {{product}} account; the old ones no longer work.", product))
        case .recoveryCodeUsed(let remaining):
            return (Message("A recovery code was used on your {{product}} account", product),
                    Message(one: "A recovery code was just used to sign in to your {{product}} account; {{count}} of them is left.",
                            other: "A recovery code was just used to sign in to your {{product}} account; {{count}} of them are left.",
                            count: remaining, product))
        case .passkeyCounterRegressed(let name):
            return (Message("A passkey on your {{product}} account may have been copied", product),
                    Message("The passkey \u{201C}{{name}}\u{201D} just signed in to your {{product}} account with a counter lower than it had used before. A security key does that when it was copied. If you did not copy it, remove that passkey and add your key again.",
                            product.merging(["name": name]) { $1 }))
        }
    }
}
