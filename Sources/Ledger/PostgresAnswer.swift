import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What a statement sent on a connection will answer: filled on the connection's event loop,
/// waited for on the calling thread.
///
/// An `EventLoopFuture` waited for (or mapped, or given a callback) from another thread first
/// hands the loop a task of its own to attach the callback, often a wake-up of the loop's
/// thread (a system call, and a switch on the other core): a read of two statements handed its
/// loop ten tasks where three send everything. `PostgresSession` attaches the callback on the
/// loop itself, in the task that sends the statement, and the caller waits here.
final class PostgresAnswer<Value: Sendable>: @unchecked Sendable {
    /// 0 until answered, then 1; `result` is written once, under the lock, before the 1.
    private let state = ConditionLock(value: 0)
    private var result: Result<Value, any Error>?

    /// Called once, on the event loop, with what the statement answered.
    func fill(_ answer: Result<Value, any Error>) {
        state.lock()
        guard result == nil else {
            // A second answer cannot happen (each is filled from one future); keep the first.
            state.unlock()
            return
        }
        result = answer
        state.unlock(withValue: 1)
    }

    func fail(_ error: any Error) {
        fill(.failure(error))
    }

    /// Attaches `future` to this answer. On the future's own loop, as `PostgresSession` calls
    /// it, this schedules nothing.
    func fill(from future: EventLoopFuture<Value>) {
        future.whenComplete { self.fill($0) }
    }

    /// Blocks until the answer is filled. Waiting on one of NIO's event loop threads would
    /// stop the loop that is to fill it, so that stops the process, as `EventLoopFuture.wait()` does.
    func wait() throws -> Value {
        precondition(MultiThreadedEventLoopGroup.currentEventLoop == nil,
                     "a PostgreSQL answer was waited for on an event loop thread, which would never fill it")
        state.lock(whenValue: 1)
        let answer = result
        state.unlock()
        // Filled before the value became 1, so never nil here.
        return try answer!.get()
    }
}
