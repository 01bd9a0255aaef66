/// A statement as the ledger writes it for both stores (`?` placeholders, one statement), in
/// the form PostgreSQL takes: placeholders numbered `$1…$n`.
///
/// Only a `?` in the statement's own text is a placeholder: not one inside a 'string', an
/// E'string' (backslash escapes), a $tag$dollar-quoted string$tag$, a "quoted identifier", a
/// -- comment or a nested /* comment */. (PostgreSQL's jsonb operators `?`, `?|` and `?&` are
/// therefore not writable here; the ledger has no jsonb.)
///
/// postgres-nio sends every statement with the extended protocol, which takes one statement,
/// and the server's refusal of several ("cannot insert multiple commands into a prepared
/// statement") does not say which call was wrong; a second statement after a `;` is refused here
/// instead, before anything is sent.
struct PostgresStatement: Equatable {
    /// The SQL to send, `$n` for each `?`, without a trailing `;`.
    let sql: String
    let placeholderCount: Int
    /// Whether the statement returns rows a cursor can stream (SELECT, VALUES, TABLE, or WITH …
    /// SELECT), which is what `DECLARE … CURSOR FOR` accepts.
    let isQuery: Bool

    init(_ text: String) throws {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var placeholders = 0
        var index = 0
        var statementEnd: Int?
        var firstWord = FirstWord()

        func refuse(_ problem: String) -> PostgresStatementError {
            PostgresStatementError(sqlState: nil, message: problem, statement: text)
        }
        func isIdentifierByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x24 || byte >= 0x80
        }
        /// The end of the quoted run that opens at `start` with `quote`, a doubled quote staying
        /// inside; with `backslashes`, a backslash escapes the byte after it (E'…' strings).
        func endOfQuoted(from start: Int, quote: UInt8, backslashes: Bool) -> Int? {
            var position = start + 1
            while position < bytes.count {
                let byte = bytes[position]
                if backslashes && byte == UInt8(ascii: "\\") {
                    position += 2
                } else if byte == quote {
                    if position + 1 < bytes.count && bytes[position + 1] == quote { position += 2 } else { return position + 1 }
                } else {
                    position += 1
                }
            }
            return nil
        }
        /// The tag of a dollar quote opening at `start` (`$$` or `$tag$`), nil when the `$` is not one.
        func dollarTag(at start: Int) -> [UInt8]? {
            var position = start + 1
            while position < bytes.count, bytes[position] != UInt8(ascii: "$") {
                let byte = bytes[position]
                let isDigit = byte >= 0x30 && byte <= 0x39
                guard isIdentifierByte(byte), byte != UInt8(ascii: "$"), !(isDigit && position == start + 1) else { return nil }
                position += 1
            }
            guard position < bytes.count else { return nil }
            return Array(bytes[start...position])
        }

        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            let previous: UInt8? = index > 0 ? bytes[index - 1] : nil
            var end = index + 1
            switch byte {
            case UInt8(ascii: "'"):
                // E'…' (or e'…') takes backslash escapes when the E starts a word of its own.
                let escapes = (previous == UInt8(ascii: "E") || previous == UInt8(ascii: "e"))
                    && (index < 2 || !isIdentifierByte(bytes[index - 2]))
                guard let close = endOfQuoted(from: index, quote: byte, backslashes: escapes) else {
                    throw refuse("a quoted string is not closed")
                }
                end = close
            case UInt8(ascii: "\""):
                guard let close = endOfQuoted(from: index, quote: byte, backslashes: false) else {
                    throw refuse("a quoted identifier is not closed")
                }
                end = close
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                var depth = 1
                var position = index + 2
                while position < bytes.count && depth > 0 {
                    if bytes[position] == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "*") {
                        depth += 1; position += 2
                    } else if bytes[position] == UInt8(ascii: "*"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "/") {
                        depth -= 1; position += 2
                    } else {
                        position += 1
                    }
                }
                guard depth == 0 else { throw refuse("a /* comment is not closed") }
                end = position
            case UInt8(ascii: "$") where previous.map(isIdentifierByte) != true:
                if let next, next >= 0x30 && next <= 0x39 {
                    throw refuse("write placeholders as ?, not $\(Character(Unicode.Scalar(next)))…: they are numbered when the statement is sent")
                }
                if let tag = dollarTag(at: index) {
                    var position = index + tag.count
                    var close: Int?
                    while position + tag.count <= bytes.count {
                        if bytes[position] == UInt8(ascii: "$"), Array(bytes[position..<(position + tag.count)]) == tag {
                            close = position + tag.count
                            break
                        }
                        position += 1
                    }
                    guard let close else { throw refuse("a $-quoted string is not closed") }
                    end = close
                }
            case UInt8(ascii: "?"):
                guard statementEnd == nil else { throw refuse("only one statement can be sent at a time: there is more after a ;") }
                placeholders += 1
                output.append(contentsOf: Array("$\(placeholders)".utf8))
                firstWord.seePlaceholder()
                index = end
                continue
            case UInt8(ascii: ";"):
                if statementEnd == nil { statementEnd = output.count }
                index = end
                continue
            default:
                if statementEnd != nil && !Self.isBlank(byte) {
                    throw refuse("only one statement can be sent at a time: there is more after a ;")
                }
            }
            let isComment = (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/")) && end > index + 1
            if !isComment && !Self.isBlank(byte) { firstWord.see(byte, at: index) }
            if statementEnd == nil {
                output.append(contentsOf: bytes[index..<end])
            } else if !isComment && !Self.isBlank(byte) {
                // After a `;` only blanks and comments may follow.
                throw refuse("only one statement can be sent at a time: there is more after a ;")
            }
            index = end
        }

        let statement = String(decoding: output[..<(statementEnd ?? output.count)], as: UTF8.self)
        guard firstWord.sawContent else { throw refuse("the statement is empty") }
        self.sql = statement
        self.placeholderCount = placeholders
        let keyword = firstWord.range.map { String(decoding: bytes[$0], as: UTF8.self).uppercased() } ?? ""
        self.isQuery = ["SELECT", "VALUES", "TABLE", "WITH"].contains(keyword)
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// Where the statement's first keyword is: the first run of letters, skipping blanks,
    /// comments and opening parentheses (`(SELECT …) UNION …`).
    private struct FirstWord {
        var range: Range<Int>?
        var sawContent = false
        private var done = false

        mutating func see(_ byte: UInt8, at index: Int) {
            sawContent = true
            guard !done else { return }
            let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            if isLetter {
                if let current = range, current.upperBound == index { range = current.lowerBound..<(index + 1) }
                else if range == nil { range = index..<(index + 1) }
                else { done = true }
            } else if byte == UInt8(ascii: "(") && range == nil {
                return
            } else {
                done = true
            }
        }

        mutating func seePlaceholder() {
            sawContent = true
            done = true
        }
    }
}
