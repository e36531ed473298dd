import Foundation
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
  help                               show this message

Configuration comes from environment variables (see README.md), e.g. PORT, HOST, DATABASE_URL,
SECRET_KEY, BASE_URL.
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
        let application = try SiteApplication.make(services: services, logger: logger)
        let server = Server(configuration: ServerConfiguration(host: configuration.host, port: configuration.port,
                                                               eventLoops: configuration.eventLoops),
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
    do {
        let database = try openDatabase(url: configuration.databaseURL)
        let migrator = try Migrator(directory: configuration.migrationsDirectory + "/site")
        let applied = try await migrator.migrate(database)
        if applied.isEmpty {
            print("database is up to date (version \(migrator.latestVersion))")
        } else {
            for migration in applied { print("applied \(migration.version) \(migration.name)") }
        }
        database.close()
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

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "serve", nil:
    await serve()
case "migrate":
    await migrate()
case "create-admin":
    await createAdmin(arguments.dropFirst())
case "help", "--help", "-h":
    print(usage)
default:
    fail("unknown command \"\(arguments.first!)\"\n\n\(usage)")
}
