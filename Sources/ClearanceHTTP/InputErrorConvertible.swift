import ClearanceApp

/// Errors that are the client's fault and answer 400 with their message.
protocol InputErrorConvertible: Error {
    var inputMessage: String { get }
}

extension InputError: InputErrorConvertible {
    var inputMessage: String { description }
}
