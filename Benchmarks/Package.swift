// swift-tools-version: 6.1
//
// Twist's benchmarks, as a package of their own so that the library never depends on what the
// benchmarks compare it with (SwiftNIO is a dependency of this package only). Run from the
// repository root:
//   swift run -c release --package-path Benchmarks twist-microbench
//   swift run -c release --package-path Benchmarks twist-bench [--quick] [--scenario NAME]
import PackageDescription

/// Settings every Swift target here shares, as in the root package.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The C programs are held to the same standard: no warnings under -Wall -Wextra.
let cSettings: [CSetting] = [
    .define("_GNU_SOURCE"),
    .unsafeFlags(["-Wall", "-Wextra", "-O2"]),
]

let package = Package(
    name: "TwistBenchmarks",
    dependencies: [
        .package(name: "Twist", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        // The spawn-and-reap peer of twist-microbench's process rows.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        // Counts the process's heap allocations by defining malloc and friends in the executable.
        .target(name: "CMallocCounter"),
        .executableTarget(
            name: "twist-microbench",
            dependencies: [
                "CMallocCounter",
                .product(name: "Twist", package: "Twist"),
                .product(name: "TwistTesting", package: "Twist"),
                // The peers of the process and thread rows.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),
        // The side-by-side runner: starts each peer, drives it with twist-loadgen, prints the table.
        .executableTarget(
            name: "twist-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // The load generator: C on raw epoll, so that it is never the bottleneck.
        // With --tls every connection is an OpenSSL client (the system's OpenSSL 3, libssl-dev).
        .executableTarget(
            name: "twist-loadgen",
            cSettings: cSettings,
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        // Peer: netstring / raw echo on Twist's reactor.
        .executableTarget(
            name: "twist-echo-peer",
            dependencies: [.product(name: "Twist", package: "Twist")],
            swiftSettings: swiftSettings
        ),
        // Peer: the same on SwiftNIO (one event-loop thread).
        .executableTarget(
            name: "nio-echo-peer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Peer: the same written directly on libev in C (the practical ceiling for one core).
        .executableTarget(
            name: "libev-echo-peer",
            cSettings: cSettings,
            linkerSettings: [.linkedLibrary("ev"), .linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
    ]
)
