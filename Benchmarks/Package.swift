// swift-tools-version: 6.1
//
// Twist's benchmarks, as a package of their own so that the library never depends on what the
// benchmarks compare it with. Run from the repository root:
//   swift run -c release --package-path Benchmarks twist-microbench
import PackageDescription

let package = Package(
    name: "TwistBenchmarks",
    dependencies: [
        .package(name: "Twist", path: ".."),
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
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        ),
    ]
)
