/// The OpenAPI 3.1 description of `/api/v1` (`openapi.json` beside this file, embedded at build
/// time), written by hand so it says what clients may rely on; a test checks it against the
/// routes the server registers. `x-roles` on each operation lists the roles allowed (`anyone`
/// needs no account); the role-matrix test holds the server to it.
enum OpenAPIDocument {
    static let json = String(decoding: PackageResources.openapi_json, as: UTF8.self)
}
