import Identity
import Testing
@testable import Provider

@Suite struct ConfigurationTests {
    @Test func defaultsServeOnPort9090WithALocalIssuer() throws {
        let configuration = try ProviderConfiguration(environment: [:])
        #expect(configuration.port == 9090)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.baseURL == "http://127.0.0.1:9090")
        #expect(configuration.databaseURL == "sqlite:db/provider.sqlite3")
        #expect(configuration.accessTokenTTL == 3600)
        #expect(configuration.refreshTokenTTL == 2_592_000)
        #expect(configuration.authorizationCodeTTL == 60)
        #expect(configuration.secretKey == nil)
    }

    @Test func fallsBackToTheSitesVariablesWhenProviderOnesAreUnset() throws {
        let configuration = try ProviderConfiguration(environment: ["PORT": "7000", "HOST": "0.0.0.0", "SECRET_KEY": "shared-secret"])
        #expect(configuration.port == 7000)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.baseURL == "http://127.0.0.1:7000")
        #expect(configuration.secretKey == "shared-secret")
    }

    @Test func providerVariablesWinOverTheSites() throws {
        let configuration = try ProviderConfiguration(environment: [
            "PORT": "7000", "PROVIDER_PORT": "7100", "SECRET_KEY": "site", "PROVIDER_SECRET_KEY": "provider",
            "PROVIDER_BASE_URL": "https://id.example.com/",
        ])
        #expect(configuration.port == 7100)
        #expect(configuration.secretKey == "provider")
        #expect(configuration.baseURL == "https://id.example.com")
        #expect(configuration.isHTTPS)
    }

    @Test func tokenLifetimesAreConfigurable() throws {
        let configuration = try ProviderConfiguration(environment: ["PROVIDER_ACCESS_TOKEN_TTL": "600", "PROVIDER_REFRESH_TOKEN_TTL": "86400"])
        #expect(configuration.accessTokenTTL == 600)
        #expect(configuration.refreshTokenTTL == 86400)
    }

    @Test func rejectsNonsenseNamingTheVariable() {
        #expect(throws: ConfigurationError.self) { try ProviderConfiguration(environment: ["PROVIDER_ACCESS_TOKEN_TTL": "soon"]) }
        #expect(throws: ConfigurationError.self) { try ProviderConfiguration(environment: ["PROVIDER_BASE_URL": "id.example.com"]) }
        #expect(throws: ConfigurationError.self) { try ProviderConfiguration(environment: ["PROVIDER_PORT": "70000"]) }
    }

    @Test func productionRequiresAnIssuerAndASecret() {
        #expect(throws: ConfigurationError.self) {
            try ProviderConfiguration(environment: ["APP_ENV": "production", "SECRET_KEY": "s"])
        }
        #expect(throws: ConfigurationError.self) {
            try ProviderConfiguration(environment: ["APP_ENV": "production", "PROVIDER_BASE_URL": "https://id.example.com"])
        }
        #expect(throws: ConfigurationError.self, "a secret shorter than 32 characters") {
            try ProviderConfiguration(environment: ["APP_ENV": "production", "PROVIDER_BASE_URL": "https://id.example.com", "SECRET_KEY": "s"])
        }
        #expect(throws: Never.self) {
            try ProviderConfiguration(environment: ["APP_ENV": "production", "PROVIDER_BASE_URL": "https://id.example.com",
                                                    "SECRET_KEY": String(repeating: "s", count: 32), "EMAIL_URL": "off"])
        }
    }
}

/// Issue 13: pointing the site and the provider at the same database made the second refuse to
/// start. On PostgreSQL the provider now takes a schema of its own; SQLite says what to do.
@Suite struct SharedDatabaseConfigurationTests {
    @Test func theSitesPostgresDatabaseGivesTheProviderASchemaOfItsOwn() throws {
        let url = "postgres://latchkey@db.example.com/latchkey"
        let configuration = try ProviderConfiguration(environment: ["DATABASE_URL": url, "PROVIDER_DATABASE_URL": url])
        #expect(configuration.databaseSchema == ProviderConfiguration.sharedDatabaseSchema)
        #expect(configuration.app.schemaDatabaseURL.hasSuffix("?options=-c%20search_path%3Dlatchkey_provider"))
        let named = try ProviderConfiguration(environment: ["DATABASE_URL": url, "PROVIDER_DATABASE_URL": url, "PROVIDER_DATABASE_SCHEMA": "idp"])
        #expect(named.databaseSchema == "idp")
    }

    @Test func theSitesSQLiteFileIsRefusedWithWhatToDo() {
        do {
            _ = try ProviderConfiguration(environment: ["DATABASE_URL": "sqlite:db/site.sqlite3", "PROVIDER_DATABASE_URL": "sqlite:db/site.sqlite3"])
            Issue.record("accepted")
        } catch {
            #expect(error.variable == "PROVIDER_DATABASE_URL")
            #expect(error.description.contains("file of its own"))
        }
    }

    @Test(arguments: ["Provider", "a-b", "1abc", "x; DROP TABLE users"])
    func aSchemaNameMustBeAPlainIdentifier(name: String) {
        #expect(throws: ConfigurationError.self) {
            try ProviderConfiguration(environment: ["PROVIDER_DATABASE_URL": "postgres://h/db", "PROVIDER_DATABASE_SCHEMA": name])
        }
    }
}
