import CTwistShims
import Glibc
public import Logging
import Synchronization

/// A pool of threads for blocking work (Twisted's `twisted.python.threadpool.ThreadPool`).
///
/// No thread exists until ``start()``; then `minThreads` start at once (more if work is already
/// queued), and more are made on demand up to `maxThreads`, idle ones being reused (the one that
/// went idle last first; a worker that has just finished polls for ``idlePollTime`` before it
/// sleeps, so a quick next job needs no wake-up). Work runs in
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
    /// How long a worker that has just finished a job polls for the next one before it goes to
    /// sleep. A caller that waits for one result before submitting the next (a `deferToThread`
    /// round trip) takes a few microseconds to do so; a worker still polling takes that job
    /// without either side making a wake-up system call, several times faster than a wake-up.
    /// Only one worker polls at a time, so the cost is at most this much CPU time after each job;
    /// `.zero` turns polling off.
    public let idlePollTime: Duration
    private let pollNanoseconds: Int
    private let logger: Logger
    // Everything below is guarded by `mutex`; `drained` signals stoppers.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let drained = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var phase = ThreadPoolPhase.idle
    private var queue: [Job] = []
    private var queueHead = 0
    private var minimum: Int
    private var maximum: Int
    private var workers = 0
    /// Idle workers asleep, the one that parked last at the end.
    private var parked: [ThreadPoolParkedWorker] = []
    /// Workers taken off `parked` and signalled that have not yet looked at the queue.
    private var waking = 0
    /// Workers that finished a job and are polling for the next one before they park (at most one).
    private var polling = 0
    /// How many jobs are queued, published for the polling worker, which reads it without the mutex.
    private let queuedForPoller = Atomic<Int>(0)
    /// Set by ``stop()``, so that a polling worker stops polling at once.
    private let stopRequested = Atomic<Bool>(false)

    /// Makes a pool that starts no thread until ``start()``.
    ///
    /// - Precondition: `0 <= minThreads <= maxThreads` and `maxThreads > 0`.
    public init(
        minThreads: Int = 5, maxThreads: Int = 20, name: String = "twist.threadpool",
        idlePollTime: Duration = ThreadPool.defaultIdlePollTime,
        logger: Logger = Logger(label: "twist.threadpool")
    ) {
        Self.validate(minThreads, maxThreads)
        self.minimum = minThreads
        self.maximum = maxThreads
        self.name = name
        self.idlePollTime = max(.zero, idlePollTime)
        let (seconds, attoseconds) = self.idlePollTime.components
        self.pollNanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        self.logger = logger
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(drained, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(drained)
        mutex.deallocate()
        drained.deallocate()
    }

    /// The ``idlePollTime`` a pool gets unless told otherwise (the reactor's pool uses it): 50 µs.
    public static let defaultIdlePollTime = Duration.microseconds(50)

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

    /// How many workers are asleep waiting for work (for tests).
    var parkedWorkerCount: Int { locked { parked.count } }

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
            if workers > maximum { wakeEveryParkedWorkerLocked() }  // idle ones above the maximum exit
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
                queuedForPoller.store(0, ordering: .relaxed)
                return discarded
            case .running:
                phase = workers == 0 ? .stopped : .stopping
                stopRequested.store(true, ordering: .relaxed)
                wakeEveryParkedWorkerLocked()
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

    /// Queues `job`, and makes sure someone will take it: the worker polling for work, a worker
    /// already woken, the idle worker that parked last (woken after the mutex is released, so that
    /// it does not wake only to block on the mutex the submitter holds), or, when every worker is
    /// busy, a new worker if the pool may grow.
    func submit(_ job: @escaping Job) throws {
        let toWake = try locked { () throws -> ThreadPoolParkedWorker? in
            guard phase.acceptsWork else { throw ThreadPoolStopped(poolName: name) }
            queue.append(job)
            let queued = queue.count - queueHead
            queuedForPoller.store(queued, ordering: .relaxed)
            guard phase == .running, queued > polling + waking else { return nil }
            if let worker = parked.popLast() {
                worker.isWoken = true
                waking += 1
                return worker
            }
            if workers < maximum { spawnWorkerLocked() }
            return nil
        }
        if let toWake { pthread_cond_signal(toWake.condition) }
    }

    // MARK: Workers

    private func spawnWorkerLocked() {
        workers += 1
        DetachedThread.start { [self] in workerLoop() }
    }

    /// Wakes every parked worker (to exit, or to see a lower maximum).
    private func wakeEveryParkedWorkerLocked() {
        for worker in parked {
            worker.isWoken = true
            waking += 1
            pthread_cond_signal(worker.condition)
        }
        parked.removeAll()
    }

    /// Takes the next job off the queue, if there is one.
    private func takeJobLocked() -> Job? {
        guard queueHead < queue.count else { return nil }
        let job = queue[queueHead]
        queueHead += 1
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead >= 1024 && queueHead * 2 >= queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        queuedForPoller.store(queue.count - queueHead, ordering: .relaxed)
        return job
    }

    /// A worker: takes jobs in order until the pool stops with an empty queue, or it is idle above
    /// the maximum. After a job it polls briefly for the next (if no other worker is polling),
    /// then parks until ``submit(_:)`` or a stop wakes it.
    private func workerLoop() {
        let me = ThreadPoolParkedWorker()
        var justWorked = false
        pthread_mutex_lock(mutex)
        while true {
            if let job = takeJobLocked() {
                pthread_mutex_unlock(mutex)
                job(true)
                pthread_mutex_lock(mutex)
                justWorked = true
                continue
            }
            if phase == .stopping || workers > maximum { break }
            if justWorked && polling == 0 && pollNanoseconds > 0 && phase == .running {
                justWorked = false
                polling += 1
                pthread_mutex_unlock(mutex)
                pollForWork()
                pthread_mutex_lock(mutex)
                polling -= 1
                continue
            }
            justWorked = false
            parked.append(me)
            while !me.isWoken { pthread_cond_wait(me.condition, mutex) }
            me.isWoken = false
            waking -= 1
        }
        workers -= 1
        if workers == 0 && phase == .stopping { phase = .stopped }
        pthread_cond_broadcast(drained)
        pthread_mutex_unlock(mutex)
    }

    /// Polls, without the mutex, until a job is queued, the pool is stopping, or ``idlePollTime``
    /// has passed.
    private func pollForWork() {
        let deadline = Self.monotonicNanoseconds() + pollNanoseconds
        var polls = 0
        while queuedForPoller.load(ordering: .relaxed) == 0 && !stopRequested.load(ordering: .relaxed) {
            twist_cpu_relax()
            polls += 1
            if polls & 63 == 0, Self.monotonicNanoseconds() >= deadline { return }
        }
    }

    private static func monotonicNanoseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1_000_000_000 + now.tv_nsec
    }
}
