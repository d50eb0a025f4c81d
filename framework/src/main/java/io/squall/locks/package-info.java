/**
 * Tornado's {@code tornado.locks} and {@code tornado.queues}: coordination between tasks on one
 * {@link io.squall.ioloop.IOLoop}, without blocking a thread.
 *
 * <table>
 *   <caption>Tornado names</caption>
 *   <tr><th>Tornado</th><th>Squall</th></tr>
 *   <tr><td>{@code Condition.wait / notify(n) / notify_all}</td>
 *       <td>{@link io.squall.locks.Condition#await} / {@link io.squall.locks.Condition#signal(int)}
 *       / {@link io.squall.locks.Condition#signalAll}</td></tr>
 *   <tr><td>{@code Event}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Lock}</td>
 *       <td>{@link io.squall.locks.Event}, {@link io.squall.locks.Semaphore}, {@link
 *       io.squall.locks.BoundedSemaphore}, {@link io.squall.locks.Lock}; {@code async with} is a
 *       {@link io.squall.locks.Releaser}</td></tr>
 *   <tr><td>{@code Queue}, {@code PriorityQueue}, {@code LifoQueue}</td>
 *       <td>{@link io.squall.locks.AsyncQueue}, {@link io.squall.locks.PriorityAsyncQueue}, {@link
 *       io.squall.locks.LifoAsyncQueue}</td></tr>
 *   <tr><td>{@code qsize / empty / full / put_nowait / get_nowait / task_done}</td>
 *       <td>{@code size / isEmpty / isFull / putNowait / getNowait / taskDone}</td></tr>
 *   <tr><td>{@code QueueFull}, {@code QueueEmpty}, {@code ValueError}, {@code RuntimeError}</td>
 *       <td>{@link io.squall.locks.QueueFullException}, {@link
 *       io.squall.locks.QueueEmptyException}, {@link IllegalStateException}</td></tr>
 * </table>
 *
 * <h2>Loops and threads</h2>
 *
 * <p>Like Tornado's, these objects are not thread-safe: each belongs to one loop and is used on
 * that loop's thread only. Pass the loop to the constructor, or let the object bind to {@link
 * io.squall.ioloop.IOLoop#current()} of the thread that first uses it (so make that first use on
 * the loop thread). Every method then fails with {@link IllegalStateException} when called on
 * another thread while the loop runs; other threads hand work over with {@link
 * io.squall.ioloop.IOLoop#addCallback}.
 *
 * <h2>Waiting</h2>
 *
 * <p>A method that may wait returns a {@link java.util.concurrent.CompletableFuture}, completed on
 * the loop thread. When it need not wait, the future is already complete. Waiters are served in
 * the order they began to wait. A waiter woken by a call (a {@code signal}, {@code release}, {@code
 * put}, ...) gets its value at once, but its future completes in a loop callback after that call
 * returns, as in Tornado: waking never runs a waiter's code inside the waker, so long hand-off
 * chains cannot overflow the stack.
 *
 * <p>Each waiting method has an overload with a {@link java.time.Duration} timeout: null waits for
 * ever, zero or negative does not wait (Tornado 6.6). When it passes, the future fails with {@link
 * java.util.concurrent.TimeoutException} ({@code Condition.await} completes with false instead).
 * Cancelling a future ({@code future.cancel(false)}) withdraws the wait. Either way the waiter
 * leaves the line at once and its timer is cancelled, and it never consumes anything: a cancelled
 * {@code acquire} holds no permit, a cancelled {@code get} takes no item (one already chosen for it
 * goes back to the front of the queue), a cancelled {@code put} adds no item, a cancelled {@code
 * Condition.await} passes its wake-up on.
 *
 * <p>Waiters still waiting when their loop closes are never completed, like the loop's other
 * callbacks and timers.
 */
package io.squall.locks;
