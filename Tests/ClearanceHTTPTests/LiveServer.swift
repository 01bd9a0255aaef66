import Hummingbird
// `TestResponse` has no public initialiser; the live client below has to make them.
@testable import HummingbirdTesting
import NIOCore
import ServiceLifecycle

/// The service on a real server on loopback, and a client that waits as long as a busy run needs.
///
/// Hummingbird's `.live` setup gives each request 20 seconds. The whole test run shares two cores
/// with CLI tests that block their threads on child processes, so a request can wait longer than
/// that for a thread to answer it, and CI failed a page walk that had nothing wrong with it. A hung
/// server still fails here, after `timeout`.
extension ServiceFixture {
    func live<Value: Sendable>(timeout: Duration = .seconds(600),
                               _ test: @Sendable (LiveClient) async throws -> Value) async throws -> Value {
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: service.router().router,
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  port.yield(channel.localAddress?.port ?? 0)
                                  port.finish()
                              })
        let services = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var next = ports.makeAsyncIterator()
            guard let bound = await next.next(), bound > 0 else { throw FixtureError("the live server did not start") }
            let client = TestClient(host: "127.0.0.1", port: bound, configuration: .init(timeout: timeout))
            client.connect()
            do {
                let value = try await test(LiveClient(client: client, port: bound))
                try await client.shutdown()
                await services.triggerGracefulShutdown()
                return value
            } catch {
                try? await client.shutdown()
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

struct LiveClient: TestClientProtocol {
    let client: TestClient
    let port: Int?

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        headers[.connection] = "keep-alive"
        let response = try await client.execute(TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: body))
        return TestResponse(head: response.head, body: response.body ?? ByteBuffer(), trailerHeaders: response.trailerHeaders)
    }
}
