// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Clearance",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clearance", targets: ["clearance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already in the graph through postgres-nio; named because the PostgreSQL store uses
        // their modules directly (event loops, TLS for `sslmode=require`).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // System libraries from Debian's -dev packages; headers only.
        .systemLibrary(name: "CExif", pkgConfig: "libexif", providers: [.apt(["libexif-dev"])]),
        .systemLibrary(name: "CExempi", pkgConfig: "exempi-2.0", providers: [.apt(["libexempi-dev"])]),
        .systemLibrary(name: "CHeif", pkgConfig: "libheif", providers: [.apt(["libheif-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        // Debian's ffmpeg libraries: demuxing, remuxing and decoding video frames.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]),

        // libcurl's SMTP client (Debian's libcurl4-openssl-dev); typed setters over its variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Domain types and the gate: pure, no I/O.
        .target(name: "ClearanceCore"),

        // Reading EXIF/XMP/video metadata and writing scrubbed copies (pictures converted through
        // Pictures, movies remuxed through libavformat).
        .target(
            name: "MediaMetadata",
            dependencies: [
                "CExif", "CExempi", "CHeif", "CFFmpeg", "Pictures",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Decoding still pictures to upright RGB with bounded memory, and encoding JPEG.
        .target(name: "Pictures", dependencies: ["CTurboJPEG", "CHeif", "CPNG", "CTIFF"]),

        // The YuNet face detection model (ONNX, MIT), compiled into the binary with C23 #embed
        // (SwiftPM's embedInCode took minutes and gigabytes to compile these 232 KB).
        .target(
            name: "FaceModels",
            path: "Models",
            exclude: ["face_detection_yunet_2023mar.onnx", "LICENSE-face_detection_yunet-MIT.txt"]
        ),

        // A C API over OpenCV's C++ DNN module: load a network, run it, return its raw outputs.
        // Debian's OpenCV -dev packages ship no pkg-config file, hence the include path by hand.
        .target(
            name: "COpenCVFaces",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            linkerSettings: [.linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_core")]
        ),

        // Finding faces in pictures and sampled video frames (YuNet on OpenCV DNN).
        .target(name: "FaceDetection", dependencies: ["COpenCVFaces", "FaceModels", "Pictures", "CFFmpeg", "MediaMetadata"]),

        // SQL schema, embedded in the binary so nothing is read from the source tree at run time.
        .target(
            name: "LedgerSchema",
            path: "Migrations",
            resources: [.embedInCode("0001_ledger.sql"), .embedInCode("0002_assets.sql"), .embedInCode("0003_takedowns.sql"),
                        .embedInCode("0004_event_macs.sql"), .embedInCode("0005_signed_assets.sql"),
                        .embedInCode("0006_offline_capture.sql"), .embedInCode("0007_outbox.sql"),
                        .embedInCode("0008_faces.sql"), .embedInCode("0009_face_not_registered.sql"),
                        // The same schema in PostgreSQL's dialect, folded into one (issue 16).
                        .embedInCode("postgresql.sql")]
        ),

        // SQLite and PostgreSQL storage: events, signing, queries. All SQL lives here.
        .target(
            name: "Ledger",
            dependencies: [
                "ClearanceCore", "LedgerSchema",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Composing RFC 5322 messages (text and HTML, RFC 2047 headers) and sending them by SMTP.
        .target(name: "Mail", dependencies: ["CCurl"]),

        // The operations users perform, accounts included: the only layer that opens a store.
        .target(
            name: "ClearanceApp",
            dependencies: [
                "ClearanceCore", "MediaMetadata", "Ledger", "Pictures", "FaceDetection", "Mail",
                .product(name: "Logging", package: "swift-log"),
                // Account passwords (`Accounts`).
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // SHA-256 of the standalone documents' stylesheets, for their Content-Security-Policy.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The web service: JSON API, pages and sign-in, thin over ClearanceApp. Never a store:
        // `Ledger` is not a dependency, and members of modules it does not import stay out of
        // reach (MemberImportVisibility), so what the store returns is only ever seen as the
        // App's or Core's values.
        .target(
            name: "ClearanceHTTP",
            dependencies: [
                "ClearanceApp", "ClearanceCore", "MediaMetadata", "CQRencode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                // Zip downloads: the cleared export and the subject access pack.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // GET /metrics in the Prometheus text format.
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The OpenAPI document, the pages' templates, their stylesheet and scripts: plain files,
            // carried inside the binary so that nothing is read from the source tree at run time.
            resources: [.embedInCode("openapi.json")]
                + ["head", "foot", "message", "login", "home", "capture", "receipt", "withdraw", "check", "dashboard",
                   "person", "selfService", "pending", "renew", "review", "toFind"].map { .embedInCode("Templates/\($0).mustache") }
                + ["clearance.css", "page.js", "capture.js", "check.js", "outbox.js", "worker.js", "qrcode.js",
                   "capture.webmanifest", "icon-192.png", "icon-512.png", "review.js"].map { .embedInCode("Public/\($0)") },
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),

        // Command-line tool, thin over ClearanceApp.
        .executableTarget(
            name: "clearance",
            dependencies: [
                "ClearanceApp", "ClearanceHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Ledger benchmark (`clearance-bench ledger`): consents per second against plain SQLite, verify time.
        .executableTarget(
            name: "clearance-bench",
            dependencies: ["ClearanceApp", "Ledger", "ClearanceCore"],
            path: "Sources/ClearanceBench"
        ),

        .testTarget(name: "ClearanceCoreTests", dependencies: ["ClearanceCore"]),
        // The App's pure pieces: HTML escaping, post URLs, what staff are told.
        .testTarget(name: "ClearanceAppTests", dependencies: ["ClearanceApp", "ClearanceCore"]),
        .testTarget(name: "PicturesTests", dependencies: ["Pictures"]),
        .testTarget(name: "MailTests", dependencies: ["Mail"]),
        .testTarget(
            name: "FaceDetectionTests",
            // MediaMetadata to read each corpus photo's EXIF orientation as `inspect` does.
            dependencies: ["FaceDetection", "Pictures", "MediaMetadata"],
            // The corpus table is read from the source tree, beside the corpus it describes.
            exclude: ["corpus-faces.tsv"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "MediaMetadataTests",
            dependencies: ["MediaMetadata"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LedgerTests",
            // NIOConcurrencyHelpers: a lock for the PostgreSQL store's concurrent-writer test;
            // NIOPosix: an event loop group of the test's own, to count what a read asks of it.
            dependencies: ["Ledger", "ClearanceCore", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .testTarget(
            name: "LedgerIntegrityTests",
            // The gate and verify against edits made straight in SQL, as an insider with the
            // database file would make them: the ledger through ClearanceApp's checks, GRDB to tamper.
            dependencies: ["ClearanceApp", "Ledger", "ClearanceCore", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ClearanceCLITests",
            // GRDB only to tamper with ledger files directly, as an attacker would; libturbojpeg to
            // read back the pixels of subject access copies.
            dependencies: ["ClearanceApp", "CTurboJPEG", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "ClearanceHTTPTests",
            dependencies: [
                "ClearanceHTTP", "ClearanceApp",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // To read back the zip downloads.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                // To edit the ledger in SQL behind a running server's back, as an attacker would.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
