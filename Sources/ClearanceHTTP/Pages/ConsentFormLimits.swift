/// How much the consent form (the officer's tablet and the public self-service form alike) may
/// hold. The self-service form is open to anyone with an event's link, so every field has a cap
/// and the body a total: a few megabytes of name must not reach a page an officer opens.
enum ConsentFormLimits {
    /// Longest value of each text field, in Unicode scalars (a `Character` may hold thousands:
    /// a letter followed by combining marks). Pages put the same numbers in `maxlength`.
    static let fieldScalars: [String: Int] = [
        "event": 200, "name": 200, "born": 10, "ageBand": 10, "guardianName": 200, "guardianRelationship": 100,
        "email": 254, "formVersion": 100, "channels": 40, "csrf": 100,
    ]
    static let maximumChannelTicks = 50
    /// All fields but the signature, decoded.
    static let maximumFieldBytes = 64 << 10
    /// The drawn signature, a PNG, decoded from its base64 `data:` URL.
    static let maximumSignatureBytes = 256 << 10

    /// What is read of a request's body before anything is decoded: the fields and the
    /// signature's base64, each percent-encoded (at worst three bytes for one).
    static let maximumBodyBytes = 3 * (maximumFieldBytes + maximumSignatureBytes * 4 / 3 + 64)

    /// Field errors for values over their caps, fields nobody asked for, and control characters.
    static func errors(_ form: FormFields) -> [String: String] {
        var errors: [String: String] = [:]
        var fieldBytes = 0
        var ticks = 0
        for (name, value) in form.pairs {
            if name == "signature" { continue }
            fieldBytes += name.utf8.count + value.utf8.count
            if name == "channels" { ticks += 1 }
            // The page shows errors beside these fields; the rest go at the top of the form.
            let key = switch name {
            case "guardianName", "guardianRelationship": "guardian"
            case "ageBand": "born"
            case "event", "name", "born", "channels", "email": name
            default: "form"
            }
            guard let limit = fieldScalars[name] else { continue }
            if value.unicodeScalars.count > limit {
                errors[key] = "At most \(limit) characters."
            } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                errors[key] = "Remove the control characters (tabs, line breaks…)."
            }
        }
        if ticks > maximumChannelTicks { errors["channels"] = "Tick only the channels listed." }
        if fieldBytes > maximumFieldBytes { errors["form"] = "The form is too large." }
        if let signature = form["signature"], signature.utf8.count > maximumSignatureBytes * 4 / 3 + 64 {
            errors["signature"] = "The signature is too large; clear it and sign again."
        }
        return errors
    }
}
