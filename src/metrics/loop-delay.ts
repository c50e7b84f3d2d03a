/**
 * How often the event-loop delay is sampled, in ms: the timer of the dashboard's `monitorEventLoopDelay` and of
 * prom-client's `nodejs_eventloop_lag_*` histogram alike. Each tick of the timer wakes an idle process; at 10 ms
 * (both libraries' default) the wake-ups cost an instance holding 5,000 idle connections about 4 ms of CPU a second
 * on the benchmark host (0.3-0.5 us per delivery at 10,000 deliveries/s); at 50 ms the idle process used what it
 * used with both timers at 1 s, 2 ms a second (docs/benchmarks-log.md, the thirteenth session).
 * A stall long enough to matter to a chat (tens of milliseconds and more) still delays a tick and is seen; a delay
 * is what a tick came later than this.
 */
export const LOOP_DELAY_RESOLUTION_MS = 50;
