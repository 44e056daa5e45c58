import Glibc
public import Logging

/// A pool of threads for blocking work (Twisted's `twisted.python.threadpool.ThreadPool`).
///
/// No thread exists until ``start()``; then `minThreads` start at once (more if work is already
/// queued), and more are made on demand up to `maxThreads`, idle ones being reused. Work runs in
/// submission order (each job on whichever worker takes it). ``stop()`` refuses new work, lets
/// the running *and queued* work finish, and waits for every worker to exit, as Twisted's does; a
/// pool that never started discards its queue instead. A stopped pool cannot start again.
///
/// Unlike Twisted, work given to a stopped pool is not silently ignored: ``callInThread(_:)``
/// throws ``ThreadPoolStopped``, and work discarded from a never-started pool is told so (a
/// `deferToThread` Deferred fails with that error).
///
/// If all `maxThreads` workers block waiting for work queued behind them, the pool wedges and
/// cannot stop: do not make pool work wait for other pool work.
///
/// Thread-safe: every method may be called from any thread.
public final class ThreadPool: @unchecked Sendable {
    /// One queued job: called with `true` to run it on a worker, or `false` when the pool
    /// discards it unrun.
    typealias Job = @Sendable (_ run: Bool) -> Void

    /// The pool's name, used in logs and errors.
    public let name: String
    private let logger: Logger
    // Everything below is guarded by `mutex`; `wake` signals workers, `drained` signals stoppers.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let drained = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var phase = ThreadPoolPhase.idle
    private var queue: [Job] = []
    private var queueHead = 0
    private var minimum: Int
    private var maximum: Int
    private var workers = 0
    private var idleWorkers = 0

    /// Makes a pool that starts no thread until ``start()``.
    ///
    /// - Precondition: `0 <= minThreads <= maxThreads` and `maxThreads > 0`.
    public init(
        minThreads: Int = 5, maxThreads: Int = 20, name: String = "twist.threadpool",
        logger: Logger = Logger(label: "twist.threadpool")
    ) {
        Self.validate(minThreads, maxThreads)
        self.minimum = minThreads
        self.maximum = maxThreads
        self.name = name
        self.logger = logger
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(drained, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(wake)
        pthread_cond_destroy(drained)
        mutex.deallocate()
        wake.deallocate()
        drained.deallocate()
    }

    private static func validate(_ minThreads: Int, _ maxThreads: Int) {
        precondition(minThreads >= 0 && minThreads <= maxThreads && maxThreads > 0,
                     "a thread pool needs 0 <= minThreads <= maxThreads and maxThreads > 0")
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    // MARK: State

    /// The smallest number of threads a running pool keeps.
    public var minThreads: Int { locked { minimum } }

    /// The largest number of threads the pool makes.
    public var maxThreads: Int { locked { maximum } }

    /// How many worker threads exist now.
    public var threadCount: Int { locked { workers } }

    /// How many jobs wait for a worker.
    public var queuedCount: Int { locked { queue.count - queueHead } }

    /// True between ``start()`` and ``stop()``.
    public var isRunning: Bool { locked { phase == .running } }

    /// True once ``stop()`` has begun: new work is refused.
    public var isStopped: Bool { locked { !phase.acceptsWork } }

    // MARK: Life

    /// Starts `minThreads` workers, plus enough for work already queued (up to `maxThreads`).
    /// Starting a running pool does nothing.
    ///
    /// - Throws: ``ThreadPoolAlreadyQuit`` if the pool has been stopped.
    public func start() throws {
        try locked {
            switch phase {
            case .running: return
            case .stopping, .stopped: throw ThreadPoolAlreadyQuit()
            case .idle:
                phase = .running
                let wanted = min(maximum, max(minimum, queue.count - queueHead))
                while workers < wanted { spawnWorkerLocked() }
            }
        }
    }

    /// Sets the bounds (Twisted's `adjustPoolsize`): a running pool grows to `minThreads` at once
    /// and retires idle workers above `maxThreads`; a pool not running only records them.
    ///
    /// - Precondition: `0 <= minThreads <= maxThreads` and `maxThreads > 0`.
    public func adjustPoolSize(minThreads: Int, maxThreads: Int) {
        Self.validate(minThreads, maxThreads)
        locked {
            minimum = minThreads
            maximum = maxThreads
            guard phase == .running else { return }
            let wanted = min(maximum, max(minimum, queue.count - queueHead))
            while workers < wanted { spawnWorkerLocked() }
            if workers > maximum { pthread_cond_broadcast(wake) }  // idle ones above the maximum exit
        }
    }

    /// Stops the pool: new work is refused from now on; running and queued work finishes; then
    /// every worker exits. Blocks until they have, or until `timeout` seconds have passed.
    /// A pool that never started discards its queue (each discarded job is told it did not run).
    /// Stopping again waits again.
    ///
    /// - Parameter timeout: the longest wait in seconds, or nil to wait for as long as it takes.
    /// - Returns: true when every worker has exited.
    @discardableResult
    public func stop(timeout: Double? = nil) -> Bool {
        let discarded = beginStop()
        for job in discarded { job(false) }
        return waitForWorkers(timeout: timeout)
    }

    /// Refuses new work and wakes every worker so each exits once the queue is empty; returns the
    /// jobs of a pool that never started, for the caller to discard outside the lock.
    func beginStop() -> [Job] {
        locked {
            switch phase {
            case .idle:
                phase = .stopped
                let discarded = Array(queue[queueHead...])
                queue = []
                queueHead = 0
                return discarded
            case .running:
                phase = workers == 0 ? .stopped : .stopping
                pthread_cond_broadcast(wake)
                return []
            case .stopping, .stopped:
                return []
            }
        }
    }

    /// Waits until every worker has exited, for at most `timeout` seconds (nil: forever).
    /// Returns true when they have.
    func waitForWorkers(timeout: Double?) -> Bool {
        locked {
            guard let timeout else {
                while workers > 0 { pthread_cond_wait(drained, mutex) }
                return true
            }
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            let whole = Int(timeout)
            deadline.tv_sec += whole
            deadline.tv_nsec += Int((timeout - Double(whole)) * 1e9)
            if deadline.tv_nsec >= 1_000_000_000 {
                deadline.tv_sec += 1
                deadline.tv_nsec -= 1_000_000_000
            }
            while workers > 0 {
                if pthread_cond_timedwait(drained, mutex, &deadline) == ETIMEDOUT { break }
            }
            return workers == 0
        }
    }

    // MARK: Work

    /// Queues `body` to run on a worker thread; an error it throws is logged.
    ///
    /// - Throws: ``ThreadPoolStopped`` if the pool is stopping or stopped (the body will not run).
    public func callInThread(_ body: @escaping @Sendable () throws -> Void) throws {
        let logger = self.logger
        let name = self.name
        try submit { run in
            guard run else { return }
            do {
                try body()
            } catch {
                logger.error("error in thread pool work", metadata: ["pool": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Queues `body`; `onResult` runs on the same worker right after it with what it returned or
    /// threw (Twisted's `callInThreadWithCallback`), or with ``ThreadPoolStopped`` on the stopping
    /// thread if the pool discards the job before it ran.
    ///
    /// - Throws: ``ThreadPoolStopped`` if the pool is stopping or stopped (neither closure runs).
    public func callInThreadWithCallback<Value>(
        _ onResult: @escaping @Sendable (Result<Value, any Error>) -> Void,
        _ body: @escaping @Sendable () throws -> Value
    ) throws {
        let name = self.name
        try submit { run in
            guard run else {
                onResult(.failure(ThreadPoolStopped(poolName: name)))
                return
            }
            onResult(Result { try body() })
        }
    }

    /// Queues `job`, making a worker for it if no idle worker is left to take it and the pool may grow.
    /// An idle worker is woken after the mutex is released, so that it does not wake only to
    /// block on the mutex the submitter still holds (a waiting worker re-checks the queue under
    /// the mutex, so no wake-up is lost).
    func submit(_ job: @escaping Job) throws {
        let wakeIdleWorker = try locked { () throws -> Bool in
            guard phase.acceptsWork else { throw ThreadPoolStopped(poolName: name) }
            queue.append(job)
            guard phase == .running else { return false }
            // Idle workers that were woken may not have taken their job yet: grow while more
            // jobs wait than idle workers could take.
            if queue.count - queueHead > idleWorkers && workers < maximum { spawnWorkerLocked() }
            return idleWorkers > 0
        }
        if wakeIdleWorker { pthread_cond_signal(wake) }
    }

    // MARK: Workers

    private func spawnWorkerLocked() {
        workers += 1
        DetachedThread.start { [self] in workerLoop() }
    }

    /// A worker: takes jobs in order until the pool stops with an empty queue, or it is idle above
    /// the maximum.
    private func workerLoop() {
        pthread_mutex_lock(mutex)
        while true {
            if queueHead < queue.count {
                let job = queue[queueHead]
                queueHead += 1
                if queueHead == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    queueHead = 0
                } else if queueHead >= 1024 && queueHead * 2 >= queue.count {
                    queue.removeFirst(queueHead)
                    queueHead = 0
                }
                pthread_mutex_unlock(mutex)
                job(true)
                pthread_mutex_lock(mutex)
                continue
            }
            if phase == .stopping || workers > maximum { break }
            idleWorkers += 1
            pthread_cond_wait(wake, mutex)
            idleWorkers -= 1
        }
        workers -= 1
        if workers == 0 && phase == .stopping { phase = .stopped }
        pthread_cond_broadcast(drained)
        pthread_mutex_unlock(mutex)
    }
}
