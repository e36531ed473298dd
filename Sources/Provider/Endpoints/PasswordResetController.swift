import Identity
import IdentityWeb
import Mustache
import Web

/// "Forgot your password?" on the provider: the identity core's pages (`PasswordResetPages`, as
/// on the site) over the provider's flow (which also revokes the user's tokens) and mail, and a
/// page after the new password is set.
struct PasswordResetController {
    let services: ProviderServices

    func register(on router: Router) {
        let users = services.users
        PasswordResetPages<ProviderUser>(
            folder: "provider", trustedProxies: services.configuration.trustedProxies, mailOff: !users.canSendMail,
            ask: { identifier, ip, _, context in
                try await users.requestPasswordReset(identifier: identifier, ip: ip, message: services.mail(context).passwordReset)
            },
            holder: { token in try await users.resetLinkHolder(token) },
            reset: { token, new, confirmation, _, _, context in
                try await users.resetPassword(token: token, new: new, confirmation: confirmation, notice: services.mail(context).passwordChanged)
            },
            afterReset: "/password/reset/done",
            render: { context, template, title, values, status in Page(context, title: title, values).view(template, status: status) }
        ).register(on: router)
        router.get("/password/reset/done", use: done)
    }

    @Sendable func done(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: context.translator.text("Password changed"), ["done": true]).view("provider/password/reset")
    }
}
