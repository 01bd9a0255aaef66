/// ISO 6709 point strings as QuickTime writes them: `+37.3318-122.0312+012.000/`.
///
/// Strict on purpose: a location is personal data, and a half-understood string must not turn
/// into a wrong place. Latitude is `±DD`, `±DDMM` or `±DDMMSS`, longitude `±DDD`, `±DDDMM` or
/// `±DDDMMSS`, each with an optional decimal fraction on its last part; an optional signed
/// altitude in metres and an optional `CRS…` name follow, then an optional closing `/`.
public enum QuickTimeLocation {
    public static func parseISO6709(_ text: String) -> GPSPosition? {
        var bytes = Array(text.utf8)
        // Writers pad with NULs or spaces after the closing slash.
        while let last = bytes.last, last == 0 || last == 0x20 || last == 0x0A || last == 0x0D { bytes.removeLast() }
        var index = 0

        guard let latitude = angle(bytes, &index, degreeDigits: 2, maximum: 90),
            let longitude = angle(bytes, &index, degreeDigits: 3, maximum: 180)
        else { return nil }

        var altitude: Double?
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard let value = signedDecimal(bytes, &index) else { return nil }
            altitude = value
        }
        if bytes[index...].starts(with: Array("CRS".utf8)) {
            index += 3
            while index < bytes.count, bytes[index] != UInt8(ascii: "/") { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "/") { index += 1 }
        guard index == bytes.count else { return nil }
        return GPSPosition(latitude: latitude, longitude: longitude, altitude: altitude)
    }

    /// A signed angle in degrees from `±D…[MM[SS]][.fff]`.
    private static func angle(_ bytes: [UInt8], _ index: inout Int, degreeDigits: Int, maximum: Double) -> Double? {
        guard index < bytes.count else { return nil }
        let sign: Double
        switch bytes[index] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        index += 1
        let digitsStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        let whole = Array(bytes[digitsStart..<index])
        var fraction: Double = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > fractionStart, let value = Double("0." + String(decoding: bytes[fractionStart..<index], as: UTF8.self))
            else { return nil }
            fraction = value
        }
        func number(_ slice: ArraySlice<UInt8>) -> Double {
            slice.reduce(0) { $0 * 10 + Double($1 - UInt8(ascii: "0")) }
        }
        let degrees: Double
        switch whole.count {
        case degreeDigits:
            degrees = number(whole[...]) + fraction
        case degreeDigits + 2:
            let minutes = number(whole[degreeDigits...]) + fraction
            guard minutes < 60 else { return nil }
            degrees = number(whole[..<degreeDigits]) + minutes / 60
        case degreeDigits + 4:
            let minutes = number(whole[degreeDigits..<degreeDigits + 2])
            let seconds = number(whole[(degreeDigits + 2)...]) + fraction
            guard minutes < 60, seconds < 60 else { return nil }
            degrees = number(whole[..<degreeDigits]) + minutes / 60 + seconds / 3600
        default:
            return nil
        }
        guard degrees <= maximum else { return nil }
        return sign * degrees
    }

    private static func signedDecimal(_ bytes: [UInt8], _ index: inout Int) -> Double? {
        let start = index
        index += 1 // the sign, checked by the caller
        let digitsStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        guard index > digitsStart else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > fractionStart else { return nil }
        }
        return Double(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
