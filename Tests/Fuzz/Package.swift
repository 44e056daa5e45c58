// swift-tools-version: 6.1
//
// libFuzzer targets for Twist's receivers, the PROXY header parser and the TLS engine's input, as a package of their own: they need
// `-sanitize=fuzzer` on every module and a libFuzzer `main`, which the main package's build must
// not have. Build and run them with `Tests/Fuzz/run.sh SECONDS`.
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// A fuzz target: its `main.swift` hands its check to libFuzzer's driver.
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"], swiftSettings: settings)
}

let package = Package(
    name: "TwistFuzz",
    dependencies: [
        .package(name: "Twist", path: "../.."),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CFuzzDriver",
                .product(name: "Twist", package: "Twist"),
                .product(name: "TwistTesting", package: "Twist"),
            ],
            swiftSettings: settings
        ),
        fuzzTarget("fuzz-netstring"),
        fuzzTarget("fuzz-line"),
        fuzzTarget("fuzz-lineonly"),
        fuzzTarget("fuzz-lengthprefixed"),
        fuzzTarget("fuzz-proxyheader"),
        fuzzTarget("fuzz-tls"),
    ]
)
