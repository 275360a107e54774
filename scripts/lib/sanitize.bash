# Sourced by scripts/faults, scripts/scale and scripts/soak for their `--sanitize` option.

# sanitize_build KIND: sets the caller's `build` array to the `swift build` flags for KIND
# (address: AddressSanitizer with LeakSanitizer, in .build-asan; thread: ThreadSanitizer, in
# .build-tsan), or exits 2 for anything else.
sanitize_build() {
    case "${1:-}" in
        address) build=(--sanitize=address --scratch-path .build-asan) ;;
        thread) build=(--sanitize=thread --scratch-path .build-tsan) ;;
        *) echo "$(basename "$0"): --sanitize takes address or thread" >&2; exit 2 ;;
    esac
}

# LeakSanitizer: what a global's one-time initializer allocates lives as long as the process, by
# design, but Swift keeps some such pointers with spare bits set, where LSan does not see them.
# ASan's quarantine of freed memory (256 MiB by default) would hide what the frozen-peer scenario
# measures: that what we hold stays bounded.
export LSAN_OPTIONS="suppressions=$PWD/Tests/Faults/lsan-suppressions.txt:print_suppressions=0"
export ASAN_OPTIONS="quarantine_size_mb=16"
