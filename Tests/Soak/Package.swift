// swift-tools-version: 6.1
//
// Twist's fault and soak suite, as a package of its own (it depends on the root package by path
// and leaves the root Package.swift alone): `twist-soak-server`, a netstring echo server and the
// poetry transform server with a stats port, and `twist-soak`, the runner that starts it, drives
// each scenario over loopback and prints one PASS/FAIL line per scenario. See Docs/Reliability.md.
import PackageDescription

/// Settings every Swift target shares, as in the root package.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "TwistSoak",
    products: [
        .executable(name: "twist-soak", targets: ["twist-soak"]),
        .executable(name: "twist-soak-server", targets: ["twist-soak-server"]),
    ],
    dependencies: [
        .package(name: "Twist", path: "../.."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // Raw-socket, epoll, spawn and rlimit helpers for the load clients (plain C, _GNU_SOURCE).
        .target(name: "CSoakSupport", cSettings: [.define("_GNU_SOURCE")]),
        // The runner's pieces: load clients, the server process, stats, the scenarios.
        .target(name: "SoakKit", dependencies: ["CSoakSupport"], swiftSettings: settings),
        .executableTarget(
            name: "twist-soak",
            dependencies: ["SoakKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "twist-soak-server",
            dependencies: [
                "CSoakSupport",
                .product(name: "Twist", package: "Twist"),
                .product(name: "Poetry", package: "Twist"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
    ]
)
