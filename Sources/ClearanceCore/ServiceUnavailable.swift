/// An error meaning that something Clearance depends on (the database server) cannot be reached
/// right now: not the caller's fault and worth retrying. The web service answers 503; the store
/// that threw connects afresh on its next use.
///
/// A protocol here, in the module every other one sees, so that the web tier can recognise the
/// store's error without depending on the store.
public protocol ServiceUnavailable: Error, CustomStringConvertible {}
