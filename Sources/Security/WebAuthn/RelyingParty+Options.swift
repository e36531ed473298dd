/// The options a page passes to `navigator.credentials.create()` and `.get()`, as JSON the
/// browser's `PublicKeyCredential.parseCreationOptionsFromJSON()` (and `…RequestOptions…`) reads.
extension RelyingParty {
    /// How long the browser lets a person take, in milliseconds; the challenge lives as long.
    public static let ceremonyTimeout = 300_000

    /// A credential the browser should exclude (at registration) or allow (at sign-in).
    public struct CredentialDescriptor: Sendable {
        /// The credential id.
        public let id: [UInt8]
        /// Its transport hints.
        public let transports: [String]

        /// A descriptor.
        public init(id: [UInt8], transports: [String] = []) {
            self.id = id
            self.transports = transports
        }

        var json: JSONValue {
            var object: [String: JSONValue] = ["type": "public-key", "id": .string(Base64URL.encode(id))]
            if !transports.isEmpty { object["transports"] = .array(transports.map(JSONValue.string)) }
            return .object(object)
        }
    }

    /// `PublicKeyCredentialCreationOptionsJSON` for registering a passkey for the account whose
    /// opaque `userHandle` is given; `exclude` lists the account's existing credentials, so one
    /// authenticator is not registered twice. Asks for a discoverable credential (a passkey) and
    /// for `none` attestation.
    public func creationOptions(challenge: [UInt8], userHandle: [UInt8], userName: String, displayName: String,
                                exclude: [CredentialDescriptor] = []) -> JSONValue {
        .object([
            "rp": .object(["id": .string(id), "name": .string(name)]),
            "user": .object(["id": .string(Base64URL.encode(userHandle)), "name": .string(userName),
                             "displayName": .string(displayName)]),
            "challenge": .string(Base64URL.encode(challenge)),
            "pubKeyCredParams": .array(COSEAlgorithm.allCases.map {
                .object(["type": "public-key", "alg": .int($0.rawValue)])
            }),
            "timeout": .int(Self.ceremonyTimeout),
            "excludeCredentials": .array(exclude.map(\.json)),
            "authenticatorSelection": .object(["residentKey": "preferred", "requireResidentKey": false,
                                               "userVerification": .string(userVerification.rawValue)]),
            "attestation": "none",
        ])
    }

    /// `PublicKeyCredentialRequestOptionsJSON` for signing in; an empty `allow` lets the person
    /// pick any passkey of ours (sign-in without a username).
    public func requestOptions(challenge: [UInt8], allow: [CredentialDescriptor] = []) -> JSONValue {
        .object([
            "challenge": .string(Base64URL.encode(challenge)),
            "rpId": .string(id),
            "timeout": .int(Self.ceremonyTimeout),
            "allowCredentials": .array(allow.map(\.json)),
            "userVerification": .string(userVerification.rawValue),
        ])
    }
}
