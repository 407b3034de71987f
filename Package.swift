// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Hookwork's own targets build without a warning (dependencies keep theirs).
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "hookwork",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hookwork", targets: ["hookwork"]),
        .executable(name: "hookwork-bench", targets: ["hookwork-bench"]),
        .library(name: "HookworkCore", targets: ["HookworkCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
    ],
    targets: [
        .target(name: "HookworkCore", swiftSettings: swiftSettings),
        .target(
            name: "HookworkStore",
            dependencies: [
                "HookworkCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookworkEngine",
            dependencies: [
                "HookworkCore", "HookworkStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookworkChatwoot",
            dependencies: [
                "HookworkCore", "HookworkStore", "HookworkEngine",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookworkDelivery",
            dependencies: [
                "HookworkCore", "HookworkStore", "HookworkEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookworkServer",
            dependencies: [
                "HookworkCore", "HookworkStore", "HookworkEngine", "HookworkDelivery", "HookworkChatwoot",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Public")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hookwork",
            dependencies: [
                "HookworkCore", "HookworkStore", "HookworkEngine", "HookworkDelivery", "HookworkServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hookwork-bench",
            dependencies: [
                "HookworkCore", "HookworkStore", "HookworkEngine", "HookworkDelivery", "HookworkServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/hookwork-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HookworkCoreTests", dependencies: ["HookworkCore"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "HookworkStoreTests", dependencies: ["HookworkStore"], swiftSettings: swiftSettings),
        .testTarget(name: "HookworkChatwootTests", dependencies: ["HookworkChatwoot"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "HookworkEngineTests", dependencies: ["HookworkEngine"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HookworkDeliveryTests", dependencies: ["HookworkCore", "HookworkEngine", "HookworkDelivery"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HookworkServerTests",
            // `hookwork`: the process tests start the built executable, so the test build must make it.
            dependencies: ["HookworkServer", "hookwork", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
    ]
)
