import Identity
import IdentityWeb
import Foundation
import Site
import Testing
import Web

/// Reading the configuration from the environment, and `.env` files.
@Suite struct ConfigurationTests {
    private func problem(_ environment: [String: String]) -> ConfigurationError? {
        do {
            _ = try SiteConfiguration(environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsNeedNoEnvironment() throws {
        let configuration = try SiteConfiguration(environment: [:])
        #expect(configuration.environment == .development)
        #expect(configuration.port == 8080)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.baseURL == nil)
        #expect(!configuration.isHTTPS)
        #expect(configuration.trustedProxies == 0)
        #expect(configuration.loginMaxFailures == 5)
        #expect(configuration.loginWindow == 900)
        #expect(configuration.passwordHashCost == 15)
        #expect(configuration.secretKey == nil)
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("PORT", "-1"),
        ("LOG_LEVEL", "verbose"), ("LOG_LEVEL", "INFO"),
        ("BASE_URL", "ftp://example.com"), ("BASE_URL", "example.com"), ("BASE_URL", "https://"),
        ("APP_ENV", "staging"),
        ("EVENT_LOOPS", "0"), ("TRUSTED_PROXIES", "-1"), ("TRUSTED_PROXIES", "many"),
        ("LOGIN_MAX_FAILURES", "0"), ("LOGIN_WINDOW_SECONDS", "1e3"), ("PASSWORD_HASH_COST", "4"),
        ("HOUSEKEEPING_INTERVAL", "0"), ("HOUSEKEEPING_INTERVAL", "hourly"), ("DATABASE_CONNECT_ATTEMPTS", "0"),
        ("HTTP_TIMEOUT", "0"), ("HTTP_CONNECT_TIMEOUT", "soon"), ("BASE_URL", "https://x.example/?q=1"),
    ])
    func badValueIsAnErrorNamingTheVariable(variable: String, value: String) throws {
        let error = try #require(problem([variable: value]))
        #expect(error.variable == variable)
        #expect(error.description.contains(variable))
    }

    @Test func passwordHashesRunOnePerCoreUnlessSet() throws {
        #expect(AppSettings.defaultHashConcurrency(cores: 1) == 1)
        #expect(AppSettings.defaultHashConcurrency(cores: 2) == 2)
        #expect(AppSettings.defaultHashConcurrency(cores: 64) == 4)
        #expect(try SiteConfiguration(environment: [:]).passwordHashConcurrency == AppSettings.defaultHashConcurrency(cores: System.coreCount))
        #expect(try SiteConfiguration(environment: ["PASSWORD_HASH_CONCURRENCY": "16"]).passwordHashConcurrency == 16)
    }

    @Test func productionWithoutASecretKeyRefusesToStart() throws {
        let error = try #require(problem(["APP_ENV": "production"]))
        #expect(error.variable == "SECRET_KEY")
        #expect(error.description.contains("SECRET_KEY"))
    }

    @Test func productionRefusesAShortSecretKey() throws {
        let error = try #require(problem(["APP_ENV": "production", "SECRET_KEY": "abc", "BASE_URL": "https://latchkey.example.com"]))
        #expect(error.variable == "SECRET_KEY")
        #expect(error.description.contains("at least 32 characters"))
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let error = try #require(problem(["PORT": "x", "LOG_LEVEL": "loud", "HTTP_TIMEOUT": "0", "FORCE_HTTPS": "1"]))
        let named = [error.variable] + error.others.map(\.variable)
        #expect(named == ["PORT", "LOG_LEVEL", "HTTP_TIMEOUT", "FORCE_HTTPS"])
        #expect(error.description.split(separator: "\n").count == 4)
    }

    @Test func productionWithoutABaseURLRefusesToStart() throws {
        let error = try #require(problem(["APP_ENV": "production", "SECRET_KEY": String(repeating: "k", count: 48), "EMAIL_URL": "off"]))
        #expect(error.variable == "BASE_URL")
    }

    @Test func productionRefusesCheapPasswordHashing() throws {
        let error = try #require(problem(["APP_ENV": "production", "SECRET_KEY": String(repeating: "k", count: 48),
                                          "BASE_URL": "https://latchkey.example.com", "PASSWORD_HASH_COST": "10"]))
        #expect(error.variable == "PASSWORD_HASH_COST")
    }

    @Test func productionWithASecretKeyAndAMailServerStarts() throws {
        let configuration = try SiteConfiguration(environment: ["APP_ENV": "production", "SECRET_KEY": String(repeating: "k", count: 48),
                                                                "BASE_URL": "https://latchkey.example.com", "EMAIL_URL": "smtp://mail.example.com"])
        #expect(configuration.environment == .production)
    }

    /// Issue 12: production names its mail server (or says `off`); the URL is checked.
    @Test func productionRefusesToStartWithoutEMAILURL() throws {
        let base = ["APP_ENV": "production", "SECRET_KEY": String(repeating: "k", count: 48), "BASE_URL": "https://latchkey.example.com"]
        #expect(try #require(problem(base)).variable == "EMAIL_URL")
        #expect(problem(base.merging(["EMAIL_URL": "off"]) { $1 }) == nil)
        #expect(try #require(problem(base.merging(["EMAIL_URL": "console:"]) { $1 })).description.contains("cannot be console"))
        #expect(try #require(problem(["EMAIL_URL": "smtp://mail.example.com?tls=none"])).description.contains("loopback"))
        #expect(try #require(problem(["EMAIL_URL": "http://mail.example.com"])).variable == "EMAIL_URL")
        #expect(try #require(problem(["EMAIL_FROM": "not an address"])).variable == "EMAIL_FROM")
        #expect(problem(["EMAIL_URL": "smtp://127.0.0.1:1025?tls=none", "EMAIL_FROM": "Latchkey <no-reply@example.com>"]) == nil)
    }

    @Test func httpsBaseURLTurnsOnSecureCookiesAndLosesItsTrailingSlash() throws {
        let configuration = try SiteConfiguration(environment: ["BASE_URL": "https://latchkey.example.com/"])
        #expect(configuration.baseURL == "https://latchkey.example.com")
        #expect(configuration.isHTTPS)
    }

    @Test func emptyValueMeansTheDefault() throws {
        let configuration = try SiteConfiguration(environment: ["PORT": "", "LOG_LEVEL": ""])
        #expect(configuration.port == 8080)
    }

    @Test func secretKeyFallbacksAreAListOfKeys() throws {
        let configuration = try SiteConfiguration(environment: ["SECRET_KEY_FALLBACKS": " old-one , older-one ,, "])
        #expect(configuration.secretKeyFallbacks == ["old-one", "older-one"])
    }

    @Test func dotEnvParsesCommentsQuotesAndExports() {
        let values = DotEnv.parse("""
            # a comment
            PORT=9000
              HOST = 0.0.0.0
            export LOG_LEVEL=debug
            SECRET_KEY="a quoted # value"
            BASE_URL='https://example.com'
            EMPTY=
            EQUALS=a=b=c
            not a line
            BAD-KEY=x
            =novalue
            """)
        #expect(values == [
            "PORT": "9000", "HOST": "0.0.0.0", "LOG_LEVEL": "debug", "SECRET_KEY": "a quoted # value",
            "BASE_URL": "https://example.com", "EMPTY": "", "EQUALS": "a=b=c",
        ])
    }

    @Test func dotEnvHandlesWindowsLineEndings() {
        #expect(DotEnv.parse("PORT=9000\r\nHOST=localhost\r\n") == ["PORT": "9000", "HOST": "localhost"])
    }

    @Test func processEnvironmentWinsOverTheDotEnvFile() throws {
        let path = NSTemporaryDirectory() + "latchkey-dotenv-" + UUID().uuidString
        try "PORT=9000\nHOST=0.0.0.0\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merged = DotEnv.merged(with: ["PORT": "7000", "OTHER": "x"], path: path)
        #expect(merged == ["PORT": "7000", "HOST": "0.0.0.0", "OTHER": "x"])
    }

    @Test func missingDotEnvFileLeavesTheEnvironmentAsIs() {
        #expect(DotEnv.merged(with: ["PORT": "7000"], path: "/nonexistent/.env") == ["PORT": "7000"])
    }
}
