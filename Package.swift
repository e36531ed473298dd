// swift-tools-version:6.0
// Latchkey: one package, no package dependencies. C libraries come in through system-library
// targets; everything else is ours.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Latchkey",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "latchkey", targets: ["latchkey"]),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libssl-dev, libcurl4-openssl-dev, libpq-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // epoll, eventfd and accept4, which Swift's Glibc module leaves out.
        .target(name: "CLinux"),

        // Layer 0: threads and the worker pool, shared by the server and the storage drivers.
        .target(name: "Runtime", swiftSettings: swiftSettings),
        // Layer 1: independent building blocks.
        .target(name: "Mustache", swiftSettings: swiftSettings),
        // Message catalogs (PO files), plural rules, dates and numbers per language, and
        // Accept-Language negotiation.
        .target(name: "Localization", swiftSettings: swiftSettings),
        .target(name: "Security", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "Storage", dependencies: ["Runtime", "CSQLite", "CPostgres"], swiftSettings: swiftSettings),
        // Layer 2: the web framework (it knows HTTP, not the database) and its test helpers.
        .target(name: "Web", dependencies: ["Runtime", "Mustache", "Localization", "Security", "CCurl", "CLinux"], swiftSettings: swiftSettings),
        .target(name: "WebTesting", dependencies: ["Web"], swiftSettings: swiftSettings),
        // Layer 2: the identity core both apps share (credentials, throttles, sessions, rules,
        // configuration, housekeeping). It knows the database, not HTTP.
        .target(name: "Identity", dependencies: ["Runtime", "Localization", "Security", "Storage"], swiftSettings: swiftSettings),
        // Layer 3: where the identity core meets the framework: the session store, the error
        // mapping both apps install, form errors for templates.
        .target(name: "IdentityWeb", dependencies: ["Identity", "Localization", "Web", "Storage", "Security", "Mustache"], swiftSettings: swiftSettings),
        // Layer 4: the two apps. They meet only over HTTP.
        .target(name: "Accounts", dependencies: ["Identity", "Localization", "Web", "Storage", "Security", "Runtime", "Mustache"], swiftSettings: swiftSettings),
        .target(name: "Site", dependencies: ["Accounts", "Localization", "Identity", "IdentityWeb", "Web", "Storage", "Security", "Runtime", "Mustache"],
                swiftSettings: swiftSettings),
        .target(name: "Provider", dependencies: ["Identity", "Localization", "IdentityWeb", "Runtime", "Mustache", "Web", "Storage", "Security"],
                swiftSettings: swiftSettings),
        .executableTarget(name: "latchkey", dependencies: ["Site", "Provider", "Identity", "IdentityWeb", "Web", "Storage"], swiftSettings: swiftSettings),
        // libssl for the test SMTP sink's STARTTLS and implicit TLS. Tests only: no product target
        // may depend on it (the product's TLS is libcurl's).
        .systemLibrary(name: "CTestTLS", path: "Tests/Support/CTestTLS", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        // Local fakes of GitHub, Facebook, LinkedIn, an OpenID Connect provider and an SMTP server, for tests only.
        .target(name: "FakeProviders", dependencies: ["Web", "WebTesting", "Security", "CTestTLS"], path: "Tests/Support/FakeProviders", swiftSettings: swiftSettings),
        // A software WebAuthn authenticator (real P-256 and Ed25519 keys) with knobs to tamper, for tests only.
        .target(name: "FakeAuthenticator", dependencies: ["Security"], path: "Tests/Support/FakeAuthenticator", swiftSettings: swiftSettings),
        // The benchmark's server (scripts/bench): the peer's four routes on our framework.
        .executableTarget(name: "BenchServer", dependencies: ["Web", "Mustache", "Security"], swiftSettings: swiftSettings),
        // Seeds a database with N users and times the queries that must stay fast (scripts/seed-data, scripts/scale-check).
        .executableTarget(name: "SeedData", dependencies: ["Accounts", "Identity", "Storage", "Security", "Web"], swiftSettings: swiftSettings),

        .testTarget(name: "RuntimeTests", dependencies: ["Runtime"], swiftSettings: swiftSettings),
        .testTarget(name: "MustacheTests", dependencies: ["Mustache"], swiftSettings: swiftSettings),
        .testTarget(name: "LocalizationTests", dependencies: ["Localization"], swiftSettings: swiftSettings),
        .testTarget(name: "SecurityTests", dependencies: ["Security", "FakeAuthenticator"], exclude: ["QRReference"], swiftSettings: swiftSettings),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Runtime"], swiftSettings: swiftSettings),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "Storage", "Security", "FakeAuthenticator"], swiftSettings: swiftSettings),
        .testTarget(name: "WebTests", dependencies: ["Web", "WebTesting", "Runtime", "Security", "Localization", "Mustache"], exclude: ["Fixtures", "Corpus"], swiftSettings: swiftSettings),
        .testTarget(name: "FakeProvidersTests", dependencies: ["FakeProviders", "Web", "Security"], swiftSettings: swiftSettings),
        .testTarget(name: "SiteTests", dependencies: ["Site", "Accounts", "Identity", "IdentityWeb", "Provider", "WebTesting", "FakeProviders", "FakeAuthenticator", "Storage", "Security", "Web", "Runtime", "Mustache"], swiftSettings: swiftSettings),
        .testTarget(name: "ProviderTests", dependencies: ["Provider", "Identity", "IdentityWeb", "Localization", "WebTesting", "Web", "Security", "Storage", "FakeAuthenticator"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
