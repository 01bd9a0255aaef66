import CCurl
import Foundation

/// Where and how to hand messages to the organisation's mail server.
public struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host[:port]` (STARTTLS whenever the server offers it) or `smtps://host[:port]`
    /// (TLS from the start, required).
    public var url: String
    public var from: MailAddress
    public var username: String?
    /// Read from a file at start, never written in the configuration itself.
    public var password: String?
    /// Certificates to trust besides the system's (a private mail server's own CA).
    public var caFile: String?
    public var connectTimeoutSeconds = 15
    public var timeoutSeconds = 60

    public init(url: String, from: MailAddress, username: String? = nil, password: String? = nil, caFile: String? = nil) throws(MailError) {
        try Self.checkURL(url)
        for (field, value) in [("smtp.username", username), ("smtp password", password)] {
            if let value, value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                throw MailError.headerInjection(field: field)
            }
        }
        if username != nil, password == nil { throw MailError.badSettings("smtp.username needs smtp.passwordFile") }
        self.url = url
        self.from = from
        self.username = username
        self.password = password
        self.caFile = caFile
    }

    /// `smtp://host[:port]` or `smtps://host[:port]`, nothing else.
    public static func checkURL(_ url: String) throws(MailError) {
        guard !url.unicodeScalars.contains(where: HeaderText.isControl) else { throw MailError.headerInjection(field: "smtp.url") }
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil,
              parsed.query == nil, parsed.fragment == nil, ["", "/"].contains(parsed.path) else {
            throw MailError.badSettings("smtp.url must be smtp://host[:port] or smtps://host[:port], without a user, path or query")
        }
    }

    var requiresTLS: Bool { url.lowercased().hasPrefix("smtps:") }
}

/// Sends one message through libcurl's SMTP client: STARTTLS when offered on smtp://, TLS on
/// smtps://, login when a user name is set, certificate and host name checked, bounded time.
/// A message counts as sent only when `curl_easy_perform` succeeds, which it does only after
/// the server answered the end of DATA with 2xx.
public struct SMTPTransport: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) {
        self.settings = settings
        _ = Self.globalInit
    }

    /// `curl_global_init` is not thread-safe: run once, before any handle is made.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public func send(_ message: MailMessage) throws(MailError) {
        let body = try message.rendered()
        try send(body, from: message.from.address, to: message.to.address)
    }

    /// Sends prepared RFC 5322 bytes to one recipient.
    public func send(_ body: Data, from: String, to: String) throws(MailError) {
        guard MailAddress.isValid(from), MailAddress.isValid(to) else { throw MailError.badAddress(MailAddress.printable(to)) }
        guard let handle = curl_easy_init() else { throw MailError.notAccepted("libcurl could not start", transient: true) }
        defer { curl_easy_cleanup(handle) }
        let recipients = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        let source = BodySource(body)
        let sourcePointer = Unmanaged.passRetained(source)
        defer { sourcePointer.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        set(clearance_curl_set_string(handle, CURLOPT_URL, settings.url))
        set(clearance_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
        set(clearance_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"))
        set(clearance_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipients))
        set(clearance_curl_set_long(handle, CURLOPT_USE_SSL, settings.requiresTLS ? clearance_curl_use_ssl_all() : clearance_curl_use_ssl_try()))
        set(clearance_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(clearance_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = settings.caFile { set(clearance_curl_set_string(handle, CURLOPT_CAINFO, caFile)) }
        if let username = settings.username {
            set(clearance_curl_set_string(handle, CURLOPT_USERNAME, username))
            set(clearance_curl_set_string(handle, CURLOPT_PASSWORD, settings.password ?? ""))
        }
        set(clearance_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds))
        set(clearance_curl_set_long(handle, CURLOPT_TIMEOUT, settings.timeoutSeconds))
        // No signals: the web service sends from a background thread.
        set(clearance_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        set(clearance_curl_set_long(handle, CURLOPT_UPLOAD, 1))
        set(clearance_curl_set_long(handle, CURLOPT_INFILESIZE_LARGE, body.count))
        set(clearance_curl_set_read_function(handle, { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            return Unmanaged<BodySource>.fromOpaque(userdata).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }))
        set(clearance_curl_set_pointer(handle, CURLOPT_READDATA, sourcePointer.toOpaque()))
        guard code == CURLE_OK else {
            throw MailError.badSettings("libcurl refused a setting: \(String(cString: curl_easy_strerror(code)))")
        }
        let result = errorBuffer.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            _ = clearance_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            let result = curl_easy_perform(handle)
            _ = clearance_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            return result
        }
        guard result == CURLE_OK else {
            var response = 0
            _ = clearance_curl_response_code(handle, &response)
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
            // Once libcurl has read the whole body it has had the server's go-ahead (354) for
            // DATA; without a refusal after that, the server may have taken the message.
            if source.finished, !(400...599).contains(response) { throw MailError.noAnswer(reason) }
            // 5xx replies are permanent; everything else (4xx, no connection, timeouts) may pass.
            throw MailError.notAccepted(response > 0 ? "\(reason) (server said \(response))" : reason,
                                        transient: !(500...599).contains(response))
        }
    }
}

/// The message bytes handed to libcurl piece by piece.
private final class BodySource {
    let bytes: Data
    var offset = 0

    init(_ bytes: Data) { self.bytes = bytes }

    var finished: Bool { offset == bytes.count }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
