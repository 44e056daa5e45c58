// swift-tools-version: 6.1
//
// Twist: a Twisted-style, event-driven networking framework for Swift on Linux, driven by libev.
// The layers and their one-way dependencies are described in Docs/Architecture.md.

import PackageDescription

/// Settings every Swift target shares: Swift 6 mode (from the tools version) plus the upcoming
/// features the project adopted from day one.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// What every poetry executable links: the library and the shared command-line pieces.
let poetryToolDependencies: [Target.Dependency] = [
    "Poetry",
    "PoetryCommandLine",
    "TwistCommandLine",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "Logging", package: "swift-log"),
]

let package = Package(
    name: "Twist",
    products: [
        .library(name: "Twist", targets: ["Twist"]),
        .library(name: "TwistCore", targets: ["TwistCore"]),
        .library(name: "TwistTesting", targets: ["TwistTesting"]),
        .library(name: "TwistCommandLine", targets: ["TwistCommandLine"]),
        .library(name: "TwistServiceLifecycle", targets: ["TwistServiceLifecycle"]),
        .library(name: "TwistMetrics", targets: ["TwistMetrics"]),
        .executable(name: "twist-demo", targets: ["twist-demo"]),
        .executable(name: "echo-server", targets: ["echo-server"]),
        .executable(name: "netstring-echo", targets: ["netstring-echo"]),
        .executable(name: "echo-udp", targets: ["echo-udp"]),
        .library(name: "Poetry", targets: ["Poetry"]),
        .executable(name: "fastpoetry", targets: ["fastpoetry"]),
        .executable(name: "slowpoetry", targets: ["slowpoetry"]),
        .executable(name: "transformedpoetry", targets: ["transformedpoetry"]),
        .executable(name: "poetry-proxy", targets: ["poetry-proxy"]),
        .executable(name: "get-poetry", targets: ["get-poetry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        // Only for the TwistServiceLifecycle product; the core library does not depend on it.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // Only for the TwistMetrics product.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
    ],
    targets: [
        // libev, as Debian's libev-dev installs it (no pkg-config file, so no pkgConfig here).
        .systemLibrary(
            name: "CLibev",
            path: "Sources/CLibev",
            providers: [.apt(["libev-dev"])]
        ),
        // The system's OpenSSL 3, as Debian's libssl-dev installs it (never a vendored copy).
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // What a header-only module cannot hold: thread-local storage, _GNU_SOURCE calls, and
        // libdispatch's main-queue hooks (libdispatch ships with the Swift toolchain and is loaded
        // by every program that uses Swift concurrency).
        .target(
            name: "CTwistShims",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("dispatch")]
        ),
        // Everything that needs no event loop and no system calls. (Deferred debugging records
        // stacks with the toolchain's `Runtime` module, the Swift backtracer: no package to add.)
        .target(
            name: "TwistCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The libev reactor and the OpenSSL TLS engine; re-exports TwistCore.
        .target(
            name: "Twist",
            dependencies: [
                "CLibev",
                "COpenSSL",
                "CTwistShims",
                "TwistCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Deterministic doubles for users' tests, on TwistCore only.
        .target(
            name: "TwistTesting",
            dependencies: ["TwistCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // What every Twist server's command line shares: --listen DESCRIPTION (repeatable) with
        // --port/--iface as its shorthand, and the entry point that exits 2 on a usage error.
        .target(
            name: "TwistCommandLine",
            dependencies: [
                "Twist",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A Twist reactor and its services as one service of a swift-service-lifecycle ServiceGroup.
        .target(
            name: "TwistServiceLifecycle",
            dependencies: [
                "Twist",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A reactor's connection metrics through swift-metrics (the core reports through a
        // ReactorInstrumentation hook and depends on no metrics package).
        .target(
            name: "TwistMetrics",
            dependencies: ["Twist", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        // A small program that shows a live reactor (until the poetry demo replaces it).
        .executableTarget(
            name: "twist-demo",
            dependencies: [
                "Twist",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The smallest complete Twist server.
        .executableTarget(
            name: "echo-server",
            dependencies: ["Twist", "TwistCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // Echoes netstrings (or raw bytes with --raw); a malformed netstring closes only its connection.
        .executableTarget(
            name: "netstring-echo",
            dependencies: [
                "Twist",
                "TwistCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Echoes every UDP datagram to its sender: the smallest DatagramProtocol server.
        .executableTarget(
            name: "echo-udp",
            dependencies: [
                "Twist",
                "TwistCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The poetry services of the Twisted intro: protocols, factories, services, client logic,
        // and the bundled public-domain poems.
        .target(
            name: "Poetry",
            dependencies: ["Twist", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Poems")],
            swiftSettings: swiftSettings
        ),
        // What the poetry executables share: argument types and the exit-status-2 entry point.
        .target(
            name: "PoetryCommandLine",
            dependencies: [
                "Poetry",
                "TwistCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "fastpoetry", dependencies: poetryToolDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "slowpoetry", dependencies: poetryToolDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "transformedpoetry", dependencies: poetryToolDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "poetry-proxy", dependencies: poetryToolDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "get-poetry", dependencies: poetryToolDependencies, swiftSettings: swiftSettings),
        // What the test targets share: running a reactor on a thread of its own with a watchdog,
        // the `Shared` box, a reserved refused port, a seeded generator. Not a product.
        .target(
            name: "TwistTestSupport",
            dependencies: ["Twist", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TwistTestSupport",
            swiftSettings: swiftSettings
        ),
        // Small programs as a user writes them, built with everything and run by PoetryTests'
        // SnippetExecutableTests (not products: nobody installs them).
        .executableTarget(
            name: "main-actor-deferred",
            dependencies: ["Twist"],
            path: "Tests/Snippets/MainActorDeferred",
            swiftSettings: swiftSettings
        ),
        // A program whose main is one async function under `react`; its exit status is the outcome.
        .executableTarget(
            name: "react-snippet",
            dependencies: ["Twist"],
            path: "Tests/Snippets/React",
            swiftSettings: swiftSettings
        ),
        // A Twist server inside a swift-service-lifecycle ServiceGroup, stopped by SIGTERM.
        .executableTarget(
            name: "lifecycle-snippet",
            dependencies: [
                "TwistServiceLifecycle",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Snippets/Lifecycle",
            swiftSettings: swiftSettings
        ),
        // The programs of Docs/GettingStarted.md, shown there exactly as they are here.
        .executableTarget(
            name: "getting-started-callbacks",
            dependencies: ["Twist"],
            path: "Tests/Snippets/CallbackStyle",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "getting-started-async",
            dependencies: ["Twist"],
            path: "Tests/Snippets/AsyncStyle",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "getting-started-logging",
            dependencies: ["Twist", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Snippets/Logging",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwistCoreTests",
            dependencies: ["TwistCore", "TwistTesting", "TwistTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwistTests",
            dependencies: ["Twist", "TwistTesting", "TwistTestSupport"],
            exclude: ["Basic/twisted_netstring_peer.py", "TLS/twisted_tls_peer.py", "UDP/twisted_udp_peer.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwistCommandLineTests",
            dependencies: ["TwistCommandLine", "TwistTesting", "TwistTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwistServiceLifecycleTests",
            dependencies: [
                "TwistServiceLifecycle", "TwistTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwistMetricsTests",
            dependencies: [
                "TwistMetrics", "TwistTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PoetryTests",
            dependencies: [
                "Poetry",
                "TwistTesting",
                "TwistTestSupport",
                // Built before the tests, which run the real executables end to end.
                "fastpoetry", "slowpoetry", "transformedpoetry", "poetry-proxy", "get-poetry",
                "netstring-echo", "echo-udp", "main-actor-deferred", "react-snippet", "lifecycle-snippet",
                "getting-started-callbacks", "getting-started-async", "getting-started-logging",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
