import ClearanceApp
import Testing

@Suite("HTML escaping by Unicode scalar")
struct HTMLTextTests {
    /// Each markup character followed by a combining mark is one Swift `Character`: an escaper
    /// comparing Characters passes it through, and the browser still sees the markup character.
    @Test(arguments: [
        ("\"\u{301}", "&quot;\u{301}"),
        ("'\u{301}", "&#39;\u{301}"),
        ("<\u{338}", "&lt;\u{338}"),            // canonically "≮", still a `<` to an HTML tokenizer
        (">\u{20DD}", "&gt;\u{20DD}"),
        ("&\u{301}amp;", "&amp;\u{301}amp;"),
        ("x\"\u{301} autofocus onfocus=alert(1) y=\"\u{301}", "x&quot;\u{301} autofocus onfocus=alert(1) y=&quot;\u{301}"),
        ("\"\u{301}\u{302}\u{303}\u{304}", "&quot;\u{301}\u{302}\u{303}\u{304}"),
    ])
    func combiningMarksDoNotHideMarkup(input: String, expected: String) {
        #expect(Array(HTMLText.escape(input).unicodeScalars) == Array(expected.unicodeScalars))
        // Compared by Character, none of these holds a markup character at all: what a
        // Character-walking escaper (swift-mustache's, leaf-kit's before CVE-2026-27120) sees.
        #expect(!input.contains(where: { ["\"", "'", "<", ">", "&"].contains($0) }))
    }

    @Test func plainMarkupAndTextAreEscapedOrLeftAlone() {
        #expect(HTMLText.escape("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;")
        #expect(HTMLText.escape("Tom & Jerry's \"fair\"") == "Tom &amp; Jerry&#39;s &quot;fair&quot;")
        let plain = "Zoë Ōkafor 👩🏽‍🦱 — Riverside fair"
        #expect(HTMLText.escape(plain) == plain)
        #expect(HTMLText.escape("") == "")
        // `javascript:` is text: it is only dangerous as a URL, which no user text becomes.
        #expect(HTMLText.escape("javascript:alert(1)") == "javascript:alert(1)")
    }

    @Test func controlCharactersBecomeReplacementCharacters() {
        #expect(HTMLText.escape("a\u{0}b\u{1B}[31mc\u{7F}d\u{85}e\u{9F}") == "a\u{FFFD}b\u{FFFD}[31mc\u{FFFD}d\u{FFFD}e\u{FFFD}")
        #expect(HTMLText.escape("line\none\ttab\r") == "line\none\ttab\r")
    }

    /// Whatever the input, the output has no raw markup scalar and no control character, and
    /// decoding the five entities gives the input back (controls aside).
    @Test func noMarkupScalarSurvivesAnyMix() {
        let alphabet: [Unicode.Scalar] = ["\"", "'", "<", ">", "&", "a", " ", "=", "\u{301}", "\u{338}", "\u{200D}", "\u{0}", "\u{7}", "é", "😀"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            var scalars = String.UnicodeScalarView()
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for i in 0..<Int(state >> 59) + 1 {
                scalars.append(alphabet[Int((state >> UInt64(i % 50)) % UInt64(alphabet.count))])
            }
            let input = String(scalars)
            let output = HTMLText.escape(input)
            #expect(!output.unicodeScalars.contains { ["\"", "'", "<", ">"].contains($0) || ($0.value < 0x20 && $0 != "\n") })
            let expected = input.unicodeScalars.map { $0.value < 0x20 ? "\u{FFFD}" : $0 }
            #expect(Self.decodeEntities(output) == expected)
        }
    }

    /// The five entities back to their scalars, scalar by scalar (string replacement would
    /// compare Characters, and `&quot;` + a combining mark ends in the Character `;́`).
    static func decodeEntities(_ text: String) -> [Unicode.Scalar] {
        let entities: [(String, Unicode.Scalar)] = [("&quot;", "\""), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
        let scalars = Array(text.unicodeScalars)
        var out: [Unicode.Scalar] = []
        var i = 0
        outer: while i < scalars.count {
            for (entity, scalar) in entities {
                let pattern = Array(entity.unicodeScalars)
                if scalars.count - i >= pattern.count, Array(scalars[i..<(i + pattern.count)]) == pattern {
                    out.append(scalar)
                    i += pattern.count
                    continue outer
                }
            }
            out.append(scalars[i])
            i += 1
        }
        return out
    }
}
