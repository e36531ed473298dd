import Foundation
import Identity
import IdentityWeb
import Provider
import Site
import Storage
import Web

// latchkey: one executable, several subcommands. Each reads its configuration from the
// environment (and `.env` in development) and fails with one clear line naming what is wrong.

let usage = """
usage: latchkey <command> [options]

commands:
  serve                              run the site (default); applies pending migrations first
  migrate                            apply pending database migrations and exit
  create-admin --username U --email E [--password-stdin]
                                     create an administrator (or promote an existing user);
                                     the password is prompted for, or read from stdin
  provider [serve]                   run the sibling OAuth 2.0 / OpenID Connect provider;
                                     applies its pending migrations first
  provider migrate                   apply the provider's pending migrations and exit
  provider create-user --username U --email E [--name N] [--password-stdin] [--admin] [--verified]
                                     create a provider user; the password is prompted for, or
                                     read from stdin
  provider keys list                 the id_token signing keys and their phases (next, active,
                                     retiring)
  provider keys rotate               publish a new signing key now; it signs after
                                     PROVIDER_KEY_ROTATION_GRACE, and the old one leaves the JWKS
                                     once every token it signed has expired
  clients add --name N --redirect-uri URI [--redirect-uri URI2 …] [--public]
              [--grant \(GrantType.names(separator: "|")) …]
              [--scope S …] [--skip-consent] [--resource-server] [--no-require-pkce]
              [--require-par] [--jwt-access-tokens]
                                     register a provider client; prints its id and secret (once);
                                     PKCE S256 is required unless --no-require-pkce (confidential
                                     clients only); granting password prints a warning (RFC 9700 §2.4);
                                     --jwt-access-tokens issues RFC 9068 JWT access tokens
  clients set ID [--require-pkce on|off] [--require-par on|off]
                                     turn one of a client's switches on or off
  clients list                       list the provider's clients
  clients token [--ttl SECONDS]      issue an initial access token for one dynamic registration
                                     (PROVIDER_REGISTRATION=token); printed once, stored hashed
  clients remove ID                  delete a client and every token issued to it
  clients logout ID [--post-logout-redirect-uri URI …] [--backchannel-logout-uri URI]
                 [--backchannel-logout-session-required]
                                     set (replace) where the client may send people after
                                     logout and where it receives back-channel logout tokens
  help                               show this message

Configuration comes from environment variables (see README.md), e.g. PORT, HOST, DATABASE_URL,
SECRET_KEY, BASE_URL; the provider's from PROVIDER_PORT, PROVIDER_DATABASE_URL, PROVIDER_BASE_URL
(see docs/provider.md).
"""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("latchkey: \(message)\n".utf8))
    exit(1)
}

func loadConfiguration() -> SiteConfiguration {
    do { return try SiteConfiguration(environment: DotEnv.merged()) } catch { fail("\(error)") }
}

/// `--name value` options; every option must be known and given once.
func options(_ arguments: ArraySlice<String>, allowed: Set<String>, flags: Set<String> = []) -> [String: String] {
    var result: [String: String] = [:]
    var rest = arguments
    while let name = rest.popFirst() {
        guard name.hasPrefix("--"), allowed.contains(name) || flags.contains(name) else { fail("unknown option \(name)\n\n\(usage)") }
        guard result[name] == nil else { fail("option \(name) given twice") }
        if flags.contains(name) {
            result[name] = "true"
        } else {
            guard let value = rest.popFirst() else { fail("option \(name) needs a value") }
            result[name] = value
        }
    }
    return result
}

func serve() async {
    let configuration = loadConfiguration()
    let logger = Logger(level: configuration.logLevel)
    do {
        let services = try await SiteServices.open(configuration, logger: logger)
        services.logProviders(logger)
        services.checkDiscovery(logger)
        let application = try SiteApplication.make(services: services, logger: logger)
        let housekeeping = services.core.startHousekeeping(logger: logger)
        let mail = services.core.startMailDelivery(logger: logger)
        defer { housekeeping.cancel(); mail?.cancel() }
        let server = Server(configuration: ServerConfiguration(host: configuration.host, port: configuration.port,
                                                               eventLoops: configuration.eventLoops,
                                                               shutdownGracePeriod: configuration.shutdownGracePeriod,
                                                               maxConnections: configuration.maxConnections),
                            application: application)
        try server.start()
        logger.info("latchkey site listening on http://\(configuration.host):\(server.port) env=\(configuration.environment.rawValue) event_loops=\(configuration.eventLoops)")
        try await server.run()
    } catch {
        LogSink.standardOutput.flush()
        fail("\(error)")
    }
}

func migrate() async {
    let configuration = loadConfiguration()
    await applyMigrations(configuration.app, app: "site")
}

/// Applies the app's pending migrations and the identity core's, printing each (or that none
/// were pending), for the platform's release phase.
func applyMigrations(_ settings: AppSettings, app: String) async {
    let directory = settings.migrationsDirectory
    do {
        let database = try await CoreServices.openDatabase(settings)
        defer { database.close() }
        let applied = try await Schema.migrate(database, directory: directory, app: app)
        if applied.isEmpty {
            let versions = try Schema.migrators(directory: directory, app: app).map { "\($0.set) \($0.migrator.latestVersion)" }
            print("\(app) database is up to date (\(versions.joined(separator: ", ")))")
        } else {
            for migration in applied { print("applied \(migration)") }
        }
    } catch {
        fail("\(error)")
    }
}

/// Reads a password without echoing it (a terminal), or one line from stdin.
func readPassword(fromStdin: Bool) -> String {
    if fromStdin {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { fail("no password on standard input") }
        return line
    }
    guard isatty(0) == 1 else { fail("no terminal to prompt on; use --password-stdin") }
    func prompt(_ text: String) -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var settings = termios()
        tcgetattr(0, &settings)
        var silent = settings
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &silent)
        defer {
            tcsetattr(0, TCSANOW, &settings)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
    let first = prompt("Password: ")
    guard first == prompt("Password (again): ") else { fail("the passwords do not match") }
    return first
}

func createAdmin(_ arguments: ArraySlice<String>) async {
    let given = options(arguments, allowed: ["--username", "--email"], flags: ["--password-stdin"])
    guard let username = given["--username"], let email = given["--email"] else { fail("create-admin needs --username and --email") }
    let password = readPassword(fromStdin: given["--password-stdin"] != nil)
    let configuration = loadConfiguration()
    do {
        let services = try await SiteServices.open(configuration)
        let (user, created) = try await AdminAccounts.create(username: username, email: email, password: password, services: services)
        print(created ? "created administrator \(user.username) (id \(user.id))" : "promoted \(user.username) (id \(user.id)) to administrator and set the password")
    } catch {
        fail("\(error)")
    }
}

// MARK: The sibling provider

func loadProviderConfiguration() -> ProviderConfiguration {
    do { return try ProviderConfiguration(environment: DotEnv.merged()) } catch { fail("\(error)") }
}

/// Opens the provider's services for a one-shot command; its log goes to stderr, so stdout
/// carries only the command's result (scripts read client ids from it).
func openProvider() async -> ProviderServices {
    let configuration = loadProviderConfiguration()
    do {
        return try await ProviderServices.open(configuration, logger: Logger(level: .warning, sink: LogSink(fd: 2)))
    } catch {
        fail("\(error)")
    }
}

/// Like `options`, but the names in `repeatable` may be given several times.
func repeatableOptions(_ arguments: ArraySlice<String>, single: Set<String>, repeatable: Set<String>, flags: Set<String>) -> [String: [String]] {
    var result: [String: [String]] = [:]
    var rest = arguments
    while let name = rest.popFirst() {
        guard name.hasPrefix("--"), single.contains(name) || repeatable.contains(name) || flags.contains(name) else {
            fail("unknown option \(name)\n\n\(usage)")
        }
        guard result[name] == nil || repeatable.contains(name) else { fail("option \(name) given twice") }
        if flags.contains(name) {
            result[name] = ["true"]
        } else {
            guard let value = rest.popFirst() else { fail("option \(name) needs a value") }
            result[name, default: []].append(value)
        }
    }
    return result
}

func providerServe() async {
    let configuration = loadProviderConfiguration()
    let logger = Logger(level: configuration.logLevel)
    do {
        let services = try await ProviderServices.open(configuration, logger: logger)
        let application = try ProviderApplication.make(services: services, logger: logger)
        let housekeeping = services.core.startHousekeeping(logger: logger)
        let mail = services.core.startMailDelivery(logger: logger)
        defer { housekeeping.cancel(); mail?.cancel() }
        let server = Server(configuration: ServerConfiguration(host: configuration.host, port: configuration.port,
                                                               eventLoops: configuration.eventLoops,
                                                               maxConnections: configuration.maxConnections),
                            application: application)
        try server.start()
        logger.info("latchkey provider listening on http://\(configuration.host):\(server.port) issuer=\(configuration.baseURL) env=\(configuration.environment.rawValue)")
        try await server.run()
    } catch {
        LogSink.standardOutput.flush()
        fail("\(error)")
    }
}

func providerMigrate() async {
    let configuration = loadProviderConfiguration()
    await applyMigrations(configuration.app, app: "provider")
}

func providerCreateUser(_ arguments: ArraySlice<String>) async {
    let given = options(arguments, allowed: ["--username", "--email", "--name"], flags: ["--password-stdin", "--admin", "--verified"])
    guard let username = given["--username"], let email = given["--email"] else { fail("provider create-user needs --username and --email") }
    let password = readPassword(fromStdin: given["--password-stdin"] != nil)
    let services = await openProvider()
    do {
        let user = try await services.users.create(NewUser(username: username, email: email, name: given["--name"] ?? "",
                                                           emailVerified: given["--verified"] != nil, isAdmin: given["--admin"] != nil),
                                                   password: password)
        print("created provider user \(user.username) (id \(user.id))\(user.isAdmin ? ", administrator" : "")")
    } catch {
        fail("\(error)")
    }
}

func providerKeysList() async {
    let services = await openProvider()
    do {
        for key in try await services.signingKeys.list() {
            var line = "\(key.kid)  \(key.phase.rawValue)  published \(Clock.format(key.createdAt))  signs from \(Clock.format(key.activatesAt))"
            if let until = key.signsUntil { line += "  until \(Clock.format(until))" }
            if let until = key.publishedUntil { line += "  in the JWKS until \(Clock.format(until))" }
            print(line)
        }
    } catch {
        fail("\(error)")
    }
}

func providerKeysRotate() async {
    let services = await openProvider()
    let configuration = services.configuration
    do {
        let rotation = try await services.signingKeys.rotate(grace: configuration.keyRotationGrace, lifetime: configuration.accessTokenTTL)
        print("published key \(rotation.kid); it signs from \(Clock.format(rotation.activatesAt)) (PROVIDER_KEY_ROTATION_GRACE=\(configuration.keyRotationGrace))")
        for old in rotation.replaced {
            print("key \(old.kid) stops signing then and leaves the JWKS at \(Clock.format(old.publishedUntil))")
        }
    } catch {
        fail("\(error)")
    }
}

func clientsAdd(_ arguments: ArraySlice<String>) async {
    let given = repeatableOptions(arguments, single: ["--name"], repeatable: ["--redirect-uri", "--grant", "--scope"],
                                  flags: ["--public", "--skip-consent", "--resource-server", "--no-require-pkce",
                                          "--require-par", "--jwt-access-tokens"])
    guard let name = given["--name"]?.first else { fail("clients add needs --name") }
    var grants = GrantType.defaultForNewClients
    if let named = given["--grant"] {
        grants = Set(named.map { value in
            guard let grant = GrantType(rawValue: value) else {
                fail("unknown grant \"\(value)\"; use one of \(GrantType.names(separator: ", "))")
            }
            return grant
        })
    }
    var scopes = ScopeSet(ScopeSet.standard)
    if let named = given["--scope"] {
        guard let parsed = ScopeSet(parsing: named.joined(separator: " ")) else { fail("a --scope value is not a valid scope") }
        scopes = parsed
    }
    let new = NewClient(name: name, redirectURIs: given["--redirect-uri"] ?? [], grantTypes: grants, scopes: scopes,
                        isConfidential: given["--public"] == nil, skipsConsent: given["--skip-consent"] != nil,
                        isResourceServer: given["--resource-server"] != nil, requiresPKCE: given["--no-require-pkce"] == nil,
                        requiresPushedRequests: given["--require-par"] != nil,
                        accessTokenFormat: given["--jwt-access-tokens"] != nil ? .jwt : .opaque)
    let services = await openProvider()
    do {
        let registered = try await services.clients.register(new)
        if new.enablesPasswordGrant {
            // stderr, where one-shot commands log: stdout stays the id and secret scripts read.
            let sink = LogSink(fd: 2)
            Logger(level: .warning, sink: sink).warning("password_grant_enabled", ["client_id": registered.client.clientID, "rfc": "9700 2.4"])
            sink.flush()
            FileHandle.standardError.write(Data("latchkey: warning: \(GrantType.passwordGrantWarning)\n".utf8))
        }
        print("client_id: \(registered.client.clientID)")
        if let secret = registered.secret {
            print("client_secret: \(secret)")
            FileHandle.standardError.write(Data("latchkey: the secret is shown only now; only its hash is stored\n".utf8))
        } else {
            print("client_secret: none (public client: it must use PKCE)")
        }
    } catch {
        fail("\(error)")
    }
}

func clientsList() async {
    let services = await openProvider()
    do {
        let clients = try await services.clients.all()
        if clients.isEmpty { print("no clients registered") }
        for client in clients {
            print("\(client.clientID)  \(client.name)  \(client.isConfidential ? "confidential" : "public")\(client.skipsConsent ? " skip-consent" : "")\(client.isResourceServer ? " resource-server" : "")\(client.mustUsePKCE ? " pkce" : "")\(client.requiresPushedRequests ? " par" : "")\(client.accessTokenFormat == .jwt ? " jwt-access-tokens" : "")")
            print("    grants: \(client.grantTypes.sorted().map(\.rawValue).joined(separator: " "))  scopes: \(client.scopes)")
            for uri in client.redirectURIs { print("    redirect: \(uri)") }
            if let logout = try await services.clients.logoutSettings(client.clientID) {
                for uri in logout.postLogoutRedirectURIs { print("    post-logout redirect: \(uri)") }
                if let uri = logout.backchannelLogoutURI { print("    back-channel logout: \(uri)\(logout.backchannelLogoutSessionRequired ? " (sid required)" : "")") }
            }
        }
    } catch {
        fail("\(error)")
    }
}

func clientsSet(_ arguments: ArraySlice<String>) async {
    guard let id = arguments.first, !id.hasPrefix("--") else { fail("clients set needs a client id, then options") }
    let given = options(arguments.dropFirst(), allowed: Set(Client.Setting.allCases.map(\.option)))
    guard !given.isEmpty else { fail("clients set needs at least one of \(Client.Setting.allCases.map(\.option).joined(separator: ", "))") }
    let services = await openProvider()
    do {
        for setting in Client.Setting.allCases {
            guard let text = given[setting.option] else { continue }
            guard let value = ["on": true, "off": false][text] else { fail("\(setting.option) takes on or off") }
            guard try await services.clients.set(setting, to: value, clientID: id) else { fail("no client with id \(id)") }
            print("\(setting.rawValue): \(text) for client \(id)")
        }
    } catch {
        fail("\(error)")
    }
}

func clientsLogout(_ arguments: ArraySlice<String>) async {
    guard let id = arguments.first, !id.hasPrefix("--") else { fail("clients logout needs a client id") }
    let given = repeatableOptions(arguments.dropFirst(), single: ["--backchannel-logout-uri"], repeatable: ["--post-logout-redirect-uri"],
                                  flags: ["--backchannel-logout-session-required"])
    let settings = ClientLogoutSettings(postLogoutRedirectURIs: given["--post-logout-redirect-uri"] ?? [],
                                        backchannelLogoutURI: given["--backchannel-logout-uri"]?.first,
                                        backchannelLogoutSessionRequired: given["--backchannel-logout-session-required"] != nil)
    let services = await openProvider()
    do {
        guard try await services.clients.setLogoutSettings(id, settings) else { fail("no client with id \(id)") }
        print("client \(id): post-logout redirect URIs: \(settings.postLogoutRedirectURIs.isEmpty ? "none" : settings.postLogoutRedirectURIs.joined(separator: " "))")
        print("client \(id): back-channel logout URI: \(settings.backchannelLogoutURI ?? "none")\(settings.backchannelLogoutSessionRequired ? " (sid required)" : "")")
    } catch {
        fail("\(error)")
    }
}

func clientsToken(_ arguments: ArraySlice<String>) async {
    let given = options(arguments, allowed: ["--ttl"])
    var lifetime = ClientRegistration.initialTokenLifetime
    if let text = given["--ttl"] {
        guard let seconds = Int(text), (60...2_592_000).contains(seconds) else { fail("--ttl takes seconds, from 60 to 2592000") }
        lifetime = seconds
    }
    let services = await openProvider()
    do {
        let token = try await services.registration.issueInitialToken(lifetime: lifetime)
        print("initial_access_token: \(token)")
        FileHandle.standardError.write(Data("latchkey: good for one registration within \(lifetime) s; shown only now, only its hash is stored\n".utf8))
        if services.configuration.registration != .token {
            FileHandle.standardError.write(Data("latchkey: warning: PROVIDER_REGISTRATION is \(services.configuration.registration.rawValue), not token\n".utf8))
        }
    } catch {
        fail("\(error)")
    }
}

func clientsRemove(_ arguments: ArraySlice<String>) async {
    guard arguments.count == 1, let id = arguments.first else { fail("clients remove needs exactly one client id") }
    let services = await openProvider()
    do {
        guard try await services.clients.remove(id) else { fail("no client with id \(id)") }
        print("removed client \(id) and every token issued to it")
    } catch {
        fail("\(error)")
    }
}

/// Runs a command's asynchronous body to its end while the main thread waits. Not top-level
/// `await`: that hands the main thread to `dispatch_main()`, under which valgrind (3.19, Debian 12)
/// crashes, and `scripts/bench instructions` counts instructions under callgrind. Nothing here
/// needs the main actor: the server runs on its own event loops and the worker pool.
func runToCompletion(_ body: @escaping @Sendable () async -> Void) {
    let finished = DispatchSemaphore(value: 0)
    Task.detached {
        await body()
        finished.signal()
    }
    finished.wait()
}

let arguments = CommandLine.arguments.dropFirst()
runToCompletion {
    switch arguments.first {
    case "serve", nil:
        await serve()
    case "migrate":
        await migrate()
    case "create-admin":
        await createAdmin(arguments.dropFirst())
    case "provider":
        switch arguments.dropFirst().first {
        case "serve", nil: await providerServe()
        case "migrate": await providerMigrate()
        case "create-user": await providerCreateUser(arguments.dropFirst(2))
        case "keys":
            switch arguments.dropFirst(2).first {
            case "list": await providerKeysList()
            case "rotate": await providerKeysRotate()
            default: fail("provider keys needs list or rotate\n\n\(usage)")
            }
        default: fail("unknown provider command \"\(arguments.dropFirst().first!)\"\n\n\(usage)")
        }
    case "clients":
        switch arguments.dropFirst().first {
        case "add": await clientsAdd(arguments.dropFirst(2))
        case "list": await clientsList()
        case "set": await clientsSet(arguments.dropFirst(2))
        case "token": await clientsToken(arguments.dropFirst(2))
        case "remove": await clientsRemove(arguments.dropFirst(2))
        case "logout": await clientsLogout(arguments.dropFirst(2))
        default: fail("clients needs add, list, set, token, logout or remove\n\n\(usage)")
        }
    case "help", "--help", "-h":
        print(usage)
    default:
        fail("unknown command \"\(arguments.first!)\"\n\n\(usage)")
    }
}
