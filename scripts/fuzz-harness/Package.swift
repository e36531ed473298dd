// swift-tools-version:6.0
// libFuzzer harness for Latchkey's parsers, built and run by scripts/fuzz. Sources/ holds
// symlinks to the real modules in ../../Sources, declared as in the main package (keep the
// dependencies in step with ../../Package.swift), so the code that ships is what gets instrumented;
// each target in Targets/ is one `LLVMFuzzerTestOneInput`, linked against libFuzzer's own main.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// One fuzz target: Targets/<name>/, an executable whose entry point is libFuzzer's.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, path: "Targets/\(name)", swiftSettings: swiftSettings + [
        // No Swift `main`: libFuzzer supplies it and calls LLVMFuzzerTestOneInput.
        .unsafeFlags(["-parse-as-library"]),
    ])
}

let package = Package(
    name: "LatchkeyFuzz",
    platforms: [.macOS(.v15)],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "CLinux"),
        .target(name: "Runtime", swiftSettings: swiftSettings),
        .target(name: "Mustache", swiftSettings: swiftSettings),
        .target(name: "Security", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "Storage", dependencies: ["Runtime", "CSQLite", "CPostgres"], swiftSettings: swiftSettings),
        .target(name: "Web", dependencies: ["Runtime", "Mustache", "Security", "Storage", "CCurl", "CLinux"], swiftSettings: swiftSettings),
        .target(name: "Accounts", dependencies: ["Web", "Storage", "Security"], swiftSettings: swiftSettings),

        fuzzTarget("http-parser", ["Web"]),
        fuzzTarget("cookie", ["Web"]),
        fuzzTarget("form", ["Web"]),
        fuzzTarget("mustache", ["Mustache"]),
        fuzzTarget("jwt", ["Security"]),
        fuzzTarget("github-profile", ["Accounts", "Security"]),
        fuzzTarget("facebook-profile", ["Accounts", "Security"]),
        fuzzTarget("openid-profile", ["Accounts", "Security"]),
        fuzzTarget("sibling-profile", ["Accounts", "Security"]),
        fuzzTarget("token-response", ["Accounts", "Web"]),
    ],
    swiftLanguageModes: [.v6]
)
