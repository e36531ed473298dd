import Foundation
import Identity
import Localization
import Storage

/// The provider's people: sign-up, password checks, and users made from the command line. The
/// rules, hashing and throttling are the identity core's (`IdentityRules`, `PasswordPolicy`,
/// `Credentials`).
public struct UserService: Sendable {
    let database: any Database
    let credentials: Credentials
    let clock: Clock
    /// Bounds the accounts the sign-up form creates per address.
    let signUpLimit: RateLimit?
    /// The identity core's reset flow and address verification, over the provider's users
    /// (see `UserService+Email.swift`). With mail off, neither sends anything.
    let resets: PasswordResetService<ProviderUser>
    let codes: EmailVerificationService<ProviderUser>

    /// Users over `database`, hashing and throttling through `credentials`, mailing through
    /// `outbox` (nil: mail is off).
    init(database: any Database, credentials: Credentials, clock: Clock, signUpLimit: RateLimit?, outbox: Outbox?) {
        self.database = database
        self.credentials = credentials
        self.clock = clock
        self.signUpLimit = signUpLimit
        let find: @Sendable (Int64, any Connection) throws -> ProviderUser? = { id, db in try UserRepository.find(id: id, in: db) }
        resets = PasswordResetService(database: database, credentials: credentials, clock: clock, outbox: outbox, find: find) { identifier, db in
            try UserRepository.find(identifier: identifier, in: db)
        }
        codes = EmailVerificationService(database: database, clock: clock, outbox: outbox, find: find)
    }

    /// Whether mail goes out, so reset links and codes can be sent.
    public var canSendMail: Bool { resets.isAvailable }

    /// Creates a user from the sign-up form, or throws `FieldErrors` (or `TooManySignUps`). The
    /// address starts unverified; `verification(user, code)` writes the mail carrying the code
    /// that proves it, queued with the account's creation.
    public func signUp(_ new: NewUser, password: String, confirmation: String, ip: String,
                       verification: EmailVerificationService<ProviderUser>.Message? = nil) async throws -> ProviderUser {
        var new = new
        // Only a code (or an administrator) proves an address.
        new.emailVerified = false
        var errors = Self.problems(with: new, password: password)
        if password != confirmation { errors["password_confirmation"] = Localization.Message("The two passwords do not match.") }
        return try await create(new, password: password, errors: errors, limited: signUpLimit.map { ($0, ip) }, verification: verification)
    }

    /// Creates a user for `latchkey provider create-user`, or throws `FieldErrors`.
    public func create(_ new: NewUser, password: String) async throws -> ProviderUser {
        try await create(new, password: password, errors: Self.problems(with: new, password: password), limited: nil, verification: nil)
    }

    /// Every problem with a new user's details, by field.
    static func problems(with user: NewUser, password: String) -> FieldErrors {
        var errors = FieldErrors()
        if let problem = IdentityRules.usernameProblem(IdentityRules.trimmed(user.username)) { errors["username"] = problem }
        if let problem = IdentityRules.emailProblem(IdentityRules.trimmed(user.email)) { errors["email"] = problem }
        if let problem = IdentityRules.nameProblem(IdentityRules.trimmed(user.name)) { errors["name"] = problem }
        if let problem = PasswordPolicy.problem(with: password, username: user.username) { errors["password"] = problem }
        return errors
    }

    private func create(_ raw: NewUser, password: String, errors initial: FieldErrors, limited: (limit: RateLimit, ip: String)?,
                        verification: EmailVerificationService<ProviderUser>.Message?) async throws -> ProviderUser {
        var new = raw
        new.username = IdentityRules.trimmed(new.username)
        new.email = IdentityRules.trimmed(new.email)
        new.name = IdentityRules.trimmed(new.name)
        var errors = initial
        // Every problem in one round: a well-formed name or address is looked up even when
        // another field is wrong.
        let checkName = errors["username"] == nil, checkEmail = errors["email"] == nil
        if checkName || checkEmail {
            let (byName, byEmail) = try await database.read { [new] db in
                (checkName ? try UserRepository.find(username: new.username, in: db) : nil,
                 checkEmail ? try UserRepository.find(email: new.email, in: db) : nil)
            }
            if byName != nil { errors["username"] = Localization.Message("That username is taken.") }
            if byEmail != nil { errors["email"] = Localization.Message("An account with that email already exists.") }
        }
        guard errors.isEmpty else { throw errors }
        let now = clock.now()
        if let limited, let wait = try await database.read({ db in try limited.limit.wait(limited.ip, now: now, in: db) }) {
            throw TooManySignUps(retryAfter: wait)
        }
        let hash = try await credentials.hash(password)
        do {
            let codes = codes
            return try await database.write { [new] db in
                if let limited, let wait = try limited.limit.hit(limited.ip, now: now, in: db) { throw TooManySignUps(retryAfter: wait) }
                let user = try UserRepository.insert(new, passwordHash: hash, now: now, in: db)
                if let verification, !user.emailVerified { try codes.issue(for: user, now: now, in: db, message: verification) }
                return user
            }
        } catch let DatabaseError.uniqueViolation(constraint) {
            // Lost a race with a simultaneous sign-up: same message as the early check.
            if constraint?.contains("email") == true { throw FieldErrors("email", Localization.Message("An account with that email already exists.")) }
            throw FieldErrors("username", Localization.Message("That username is taken."))
        }
    }

    /// Checks a username and password (see `Credentials.signIn`); the provider refuses nobody
    /// whose password is right.
    public func signIn(username: String, password: String, ip: String) async throws -> PasswordCheck<ProviderUser> {
        try await credentials.signIn(
            username: username, password: password, ip: ip, id: { $0.id },
            find: { name, db in try UserRepository.credentials(username: name, in: db).map { ($0.0, passwordHash: $0.1) } })
    }

    /// The user with `id`, if any.
    public func find(id: Int64) async throws -> ProviderUser? {
        try await database.read { db in try UserRepository.find(id: id, in: db) }
    }
}
