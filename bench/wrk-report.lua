-- wrk script for bench/run: prints one line of JSON when the run is done, for bench/bench.py to read.
-- Latencies are in microseconds; errors are wrk's own counts (status: answers 400 and above).
done = function(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, '
            .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors_connect": %d, "errors_read": %d, '
            .. '"errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
        summary.requests, summary.duration, summary.bytes,
        latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
        errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
