import ClearanceApp
import Testing

@Suite("Post URLs are parsed, written out again and capped")
struct PostURLTests {
    @Test func plainAddressesAreKept() throws {
        #expect(try PostURL.normalised("https://www.facebook.com/riverside/posts/42") == "https://www.facebook.com/riverside/posts/42")
        #expect(try PostURL.normalised("  http://example.org/a?b=1&c=%20#top ") == "http://example.org/a?b=1&c=%20#top")
        #expect(try PostURL.normalised("HTTPS://WWW.Example.ORG/Path") == "https://www.example.org/Path")
    }

    @Test(arguments: [
        "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox",
        "https://x\"\u{301} autofocus onfocus=alert(1) y=\"\u{301}", "https://example.org/\"onmouseover=alert(1)",
        "https://example.org/<img>", "https://user:secret@example.org/", "https://facebook.com@evil.example/",
        "https:///no-host", "//example.org/no-scheme", "example.org", "https://exa mple.org/", "https://example.org/\u{0}",
        "https://éxample.org/", "ftp://example.org/", "", "   ",
    ])
    func hostileOrOddAddressesAreRefused(text: String) {
        #expect(throws: InputError.self) { try PostURL.normalised(text) }
        #expect(PostURL.linkable(text) == nil)
    }

    @Test func longAddressesAreRefused() throws {
        let long = "https://example.org/" + String(repeating: "a", count: PostURL.maximumLength)
        #expect(throws: InputError.self) { try PostURL.normalised(long) }
        let fits = "https://example.org/" + String(repeating: "a", count: PostURL.maximumLength - 20)
        #expect(try PostURL.normalised(fits) == fits)
    }

    @Test func storedAddressesAreOnlyLinksWhenPlain() {
        #expect(PostURL.linkable("https://x.com/riverside/status/1") == "https://x.com/riverside/status/1")
        #expect(PostURL.linkable(nil) == nil)
        #expect(PostURL.linkable("javascript:alert(document.cookie)") == nil)
    }
}
