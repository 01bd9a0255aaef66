import Foundation

// `clearance-bench ledger [--seconds S] [--events N]`: plain executable, no framework.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "ledger":
    do {
        try LedgerBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("clearance-bench: \(error)\n".utf8))
        exit(1)
    }
default:
    FileHandle.standardError.write(Data("usage: clearance-bench ledger [--seconds S] [--events N]\n".utf8))
    exit(2)
}
