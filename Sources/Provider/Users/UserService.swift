import Web
import Foundation
import Runtime
import Security
import Storage

/// The outcome of checking a username and password. Every failure a person may see reads the
/// same, so neither the form nor the password grant reveals whether a username exists.
public enum SignInOutcome: Sendable {
    case success(ProviderUser)
    case invalidCredentials
    case throttled(retryAfter: Int)
}

/// The provider's people: sign-up, password checks, and users made from the command line.
/// Password hashing runs on the worker pool, never on an event loop.
public struct UserService: Sendable {
    let database: any Database
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let clock: ProviderClock

    /// Creates a user from the sign-up form, or throws `FieldErrors`.
    public func signUp(_ new: NewUser, password: String, confirmation: String) async throws -> ProviderUser {
        var errors = UserRules.problems(with: new, password: password)
        if password != confirmation { errors["password_confirmation"] = "The two passwords do not match." }
        return try await create(new, password: password, errors: errors)
    }

    /// Creates a user for `latchkey provider create-user`, or throws `FieldErrors`.
    public func create(_ new: NewUser, password: String) async throws -> ProviderUser {
        try await create(new, password: password, errors: UserRules.problems(with: new, password: password))
    }

    private func create(_ raw: NewUser, password: String, errors initial: FieldErrors) async throws -> ProviderUser {
        var new = raw
        new.username = new.username.trimmingCharacters(in: .whitespaces)
        new.email = new.email.trimmingCharacters(in: .whitespaces)
        new.name = new.name.trimmingCharacters(in: .whitespaces)
        var errors = initial
        if errors.isEmpty {
            let (byName, byEmail) = try await database.read { [new] db in
                (try UserRepository.find(username: new.username, in: db), try UserRepository.find(email: new.email, in: db))
            }
            if byName != nil { errors["username"] = "That username is taken." }
            if byEmail != nil { errors["email"] = "An account with that email already exists." }
        }
        guard errors.isEmpty else { throw errors }
        let hasher = hasher
        let hash = try await blocking { hasher.hash(password) }
        let now = clock.now()
        do {
            return try await database.write { [new] db in try UserRepository.insert(new, passwordHash: hash, now: now, in: db) }
        } catch let DatabaseError.uniqueViolation(constraint) {
            // Lost a race with a simultaneous sign-up: same message as the early check.
            if constraint?.contains("email") == true { throw FieldErrors("email", "An account with that email already exists.") }
            throw FieldErrors("username", "That username is taken.")
        }
    }

    /// Checks a username and password. An unknown user costs the same hashing time as a wrong
    /// password; an outdated hash is upgraded on success.
    public func signIn(username rawUsername: String, password: String, ip: String) async throws -> SignInOutcome {
        let username = String(rawUsername.trimmingCharacters(in: .whitespaces).prefix(UserRules.maxUsernameLength + 1))
        let account = UserRepository.key(username)
        let now = clock.now()
        let throttle = throttle
        if let wait = try await database.read({ db in try throttle.retryAfter(account: account, ip: ip, now: now, in: db) }) {
            return .throttled(retryAfter: wait)
        }
        let found = try await database.read { db in try UserRepository.credentials(username: username, in: db) }
        let hasher = hasher
        let candidate = String(password.prefix(UserRules.maxPasswordLength))
        let verdict: PasswordVerification = try await blocking {
            guard let (_, hash) = found else {
                hasher.verifyDummy(candidate)
                return .invalid
            }
            return hasher.verify(candidate, against: hash)
        }
        guard let (user, _) = found, verdict != .invalid else {
            try await database.write { db in try throttle.recordFailure(account: account, ip: ip, now: now, in: db) }
            return .invalidCredentials
        }
        let upgraded: String? = verdict == .validButNeedsRehash ? try await blocking { hasher.hash(candidate) } : nil
        try await database.write { db in
            try throttle.clear(account: account, in: db)
            if let upgraded { try UserRepository.setPasswordHash(upgraded, userID: user.id, now: now, in: db) }
        }
        return .success(user)
    }

    /// The user with `id`, if any.
    public func find(id: Int64) async throws -> ProviderUser? {
        try await database.read { db in try UserRepository.find(id: id, in: db) }
    }
}
