# The compiled core's building blocks (included by _core.pyx before the class): growable
# buffers, the tries' readers, the staged batches, the C helpers (prefetch, atomics) and the
# hashes.


cdef struct IBuf:
    int32_t* d
    Py_ssize_t n
    Py_ssize_t cap


cdef struct LBuf:  # 64-bit state ids (fingerprint mode may pass 2**31 states)
    int64_t* d
    Py_ssize_t n
    Py_ssize_t cap


cdef int grow_buf(void** d, Py_ssize_t* cap, Py_ssize_t need, size_t item) except -1:
    """Make ``d`` (``cap`` items of ``item`` bytes) hold at least ``need`` items, doubling."""
    cdef Py_ssize_t c
    cdef void* p
    if need <= cap[0]:
        return 0
    c = cap[0] * 2 if cap[0] else 16
    while c < need:
        c *= 2
    p = realloc(d[0], c * item)
    if p == NULL:
        raise MemoryError()
    d[0] = p
    cap[0] = c
    return 0


cdef int ib_reserve(IBuf* b, Py_ssize_t need) except -1:
    return grow_buf(<void**>&b.d, &b.cap, need, sizeof(int32_t))


cdef inline int lb_push(LBuf* b, int64_t v) except -1:
    if b.n == b.cap:
        grow_buf(<void**>&b.d, &b.cap, b.n + 1, sizeof(int64_t))
    b.d[b.n] = v
    b.n += 1
    return 0


cdef inline int ib_push(IBuf* b, int32_t v) except -1:
    if b.n == b.cap:
        ib_reserve(b, b.n + 1)
    b.d[b.n] = v
    b.n += 1
    return 0


cdef void ib_trim(IBuf* b) noexcept:
    """Give back the room doubling left (a failed shrink keeps the larger block)."""
    cdef int32_t* p
    if 0 < b.n < b.cap:
        p = <int32_t*>realloc(b.d, b.n * sizeof(int32_t))
        if p != NULL:
            b.d = p
            b.cap = b.n


cdef object ib_array(IBuf* b):
    """A copy of ``b``'s values as an array (copied straight into it, with no bytes between)."""
    out = array("i", [0]) * b.n if b.n else array("i")
    cdef int32_t[::1] view
    if b.n:
        view = out
        memcpy(&view[0], b.d, b.n * sizeof(int32_t))
    return out


cdef object ib_hand_over(IBuf* b):
    """``b``'s values as an array, ``b`` emptied: one copy at a time, not two, is alive."""
    out = ib_array(b)
    free(b.d)
    b.d = NULL
    b.n = b.cap = 0
    return out


cdef extern from *:
    """
    #define prefetch(p) __builtin_prefetch(p)
    #define ctz64(x) __builtin_ctzll(x)
    #ifdef _OPENMP
    #define VFP_OPENMP 1
    #else
    #define VFP_OPENMP 0
    #endif
    #include <sched.h>
    #include <time.h>
    /* the threads' shared counters and flags: sequentially consistent, so that a worker
       parks before it reads what the storing thread changes (see "threads") */
    static inline int64_t vfp_load(const int64_t* p) {
        return __atomic_load_n(p, __ATOMIC_SEQ_CST);
    }
    static inline void vfp_store(int64_t* p, int64_t v) {
        __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
    }
    static inline void vfp_add(int64_t* p, int64_t v) {
        __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
    }
    static inline int vfp_cas(int64_t* p, int64_t old, int64_t v) {
        return __atomic_compare_exchange_n(p, &old, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    /* a visited-set cell: set after its state's words are written, read before them */
    static inline int32_t vfp_cell(const int32_t* p) {
        return __atomic_load_n(p, __ATOMIC_ACQUIRE);
    }
    static inline void vfp_set_cell(int32_t* p, int32_t v) {
        __atomic_store_n(p, v, __ATOMIC_RELEASE);
    }
    /* a wait's turn: spin a little, then let the machine run someone else */
    static inline void vfp_relax(int* spins) {
        if (++*spins < 64) {
    #if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
    #endif
        } else {
            sched_yield();
        }
    }
    /* an idle worker's turn: as vfp_relax, then sleeping 20 us at a time (a worker polling
       the storing thread's counters in a tight loop takes their cache line from it on every
       state it stores) */
    static inline void vfp_idle(int* spins) {
        if (*spins < 256) {
            vfp_relax(spins);
        } else {
            struct timespec t = {0, 20000};
            nanosleep(&t, NULL);
        }
    }
    """
    int VFP_OPENMP
    void prefetch(const void* p) nogil
    int ctz64(uint64_t x) nogil
    int64_t vfp_load(const int64_t* p) nogil
    void vfp_store(int64_t* p, int64_t v) nogil
    void vfp_add(int64_t* p, int64_t v) nogil
    bint vfp_cas(int64_t* p, int64_t old, int64_t v) nogil
    int32_t vfp_cell(const int32_t* p) nogil
    void vfp_set_cell(int32_t* p, int32_t v) nogil
    void vfp_relax(int* spins) nogil
    void vfp_idle(int* spins) nogil


def threaded():
    """True when the core was built with OpenMP (else ``run_threads`` runs on one thread)."""
    return VFP_OPENMP == 1


# Tries (one per row) and the slots each reads, with each entry's mask of the rows its move may
# change (see "judging less" and "leaves handed down"): properties and leaders both keep one.
cdef struct Readers:
    unsigned char* slot  # row r reads slot s: slot[r * width + s]
    int rows  # the rows the masks cover
    int nw  # mask words per entry
    int ver  # bumped whenever a row reads a new slot (the masks are then stale)
    uint64_t* mask  # entry e's mask: mask[e * nw : (e + 1) * nw]
    int32_t* mver  # the ``ver`` entry e's mask was made at (-1: never)
    Py_ssize_t mcap


cdef int grow(void** p, Py_ssize_t n, size_t item) noexcept nogil:
    cdef void* q = realloc(p[0], n * item)
    if q == NULL:
        return -1
    p[0] = q
    return 0


cdef int readers_init(Readers* r, int rows, int width) except -1:
    """``r`` for ``rows`` tries over ``width`` slots, none read yet."""
    memset(r, 0, sizeof(Readers))
    r.rows = rows
    r.nw = (rows + 63) // 64
    r.slot = <unsigned char*>calloc(max(rows * width, 1), 1)
    if r.slot == NULL:
        raise MemoryError()
    return 0


cdef void readers_free(Readers* r) noexcept:
    free(r.slot)
    free(r.mask)
    free(r.mver)
    memset(r, 0, sizeof(Readers))


# A batch of states whose successors are staged (built and hashed, on a worker thread also looked
# up) before the loop that stores them, in state order. State k's records are ``first[k - lo]``
# to ``first[k - lo + 1]``.
cdef struct Batch:
    uint64_t* keys  # record r's packed words: keys[r * nw : (r + 1) * nw]
    uint64_t* hash
    int32_t* ent  # its entry (-2 - e: the step overflows a channel)
    int32_t* size  # symmetry: its orbit's size
    int32_t* found  # a worker's look-up: the state's number (-1: not stored when looked up)
    Py_ssize_t cap
    int nw  # the words a state had when the records were made room for
    Py_ssize_t* first
    Py_ssize_t lo, hi  # the states staged: lo <= k < hi
    Py_ssize_t left  # the state after them, whose staging needs Python (-1: none)
    int repacks  # the core's re-packs when it was staged
    bint probed  # ``found`` is filled
    int32_t* cur  # scratch rows of slot numbers
    int32_t* ids
    int32_t* best
    int mkind  # the miss that stopped it: 1 a leader's trie (mrow), 2 a channel table (mrow,
    int32_t mrow  # old value mval), 3 a rename table
    int32_t mval
    int64_t seq  # threads: the batch number it holds, once published (then ``epoch``'s)
    int64_t epoch
    char pad[64]  # two workers' counters never share a cache line


cdef int batch_init(Batch* b, int width) noexcept nogil:
    """An empty batch with scratch rows for ``width`` slots (-1: no memory)."""
    memset(b, 0, sizeof(Batch))
    b.left = -1
    b.seq = -1
    b.first = <Py_ssize_t*>malloc((STAGE_STATES + 1) * sizeof(Py_ssize_t))
    b.cur = <int32_t*>malloc(max(width, 1) * sizeof(int32_t))
    b.ids = <int32_t*>malloc(max(width, 1) * sizeof(int32_t))
    b.best = <int32_t*>malloc(max(width, 1) * sizeof(int32_t))
    return 0 if (b.first and b.cur and b.ids and b.best) else -1


cdef int batch_room(Batch* b, Py_ssize_t need, int nw) noexcept nogil:
    """Room for ``need`` records of ``nw`` words (-1: no memory)."""
    cdef Py_ssize_t cap = b.cap if b.nw == nw else 0
    if need <= cap:
        return 0
    while cap < need:
        cap = cap * 2 if cap else 1024
    if (grow(<void**>&b.keys, cap, nw * sizeof(uint64_t)) < 0
            or grow(<void**>&b.hash, cap, sizeof(uint64_t)) < 0
            or grow(<void**>&b.ent, cap, sizeof(int32_t)) < 0
            or grow(<void**>&b.size, cap, sizeof(int32_t)) < 0
            or grow(<void**>&b.found, cap, sizeof(int32_t)) < 0):
        return -1
    b.cap = cap
    b.nw = nw
    return 0


cdef void batch_free(Batch* b) noexcept nogil:
    free(b.keys)
    free(b.hash)
    free(b.ent)
    free(b.size)
    free(b.found)
    free(b.first)
    free(b.cur)
    free(b.ids)
    free(b.best)
    memset(b, 0, sizeof(Batch))


cdef inline uint64_t mix(uint64_t h) noexcept nogil:
    h ^= h >> 33
    h *= <uint64_t>0xFF51AFD7ED558CCD
    h ^= h >> 33
    h *= <uint64_t>0xC4CEB9FE1A85EC53
    h ^= h >> 33
    return h


cdef inline uint64_t smix(uint64_t z) noexcept nogil:
    """SplitMix64's finaliser: the fingerprints' mixer, other than the probe hash's ``mix``."""
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef int cmp_u64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<uint64_t*>a)[0], y = (<uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef int bit_length(Py_ssize_t x) noexcept:
    cdef int n = 0
    while x > 0:
        n += 1
        x >>= 1
    return n
