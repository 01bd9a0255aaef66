import Foundation

// `clearance-bench ledger [--seconds S] [--events N]` and
// `clearance-bench gate [--people N] [--assets N] [--samples N] [--batch N] [--rebuild]`: plain executable, no framework.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "ledger":
    do {
        try LedgerBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("clearance-bench: \(error)\n".utf8))
        exit(1)
    }
case "gate":
    do {
        try GateBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("clearance-bench: \(error)\n".utf8))
        exit(1)
    }
case "postgres":
    do {
        try PostgresBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("clearance-bench: \(error)\n".utf8))
        exit(1)
    }
case "reads":
    // The plain-read reference for another bench (bench/http.sh): `reads DB ROUNDS HASH...`.
    do {
        try PlainReadBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("clearance-bench: \(error)\n".utf8))
        exit(1)
    }
default:
    FileHandle.standardError.write(Data("usage: clearance-bench ledger [--seconds S] [--events N]\n       clearance-bench gate [--people N] [--assets N] [--samples N] [--batch N] [--db PATH] [--rebuild]\n       clearance-bench postgres [--server URL] [--seconds S] [--samples N] [--gate-db PATH | --gate-url URL --gate-key FILE]\n       clearance-bench reads DB ROUNDS SHA256...\n".utf8))
    exit(2)
}
