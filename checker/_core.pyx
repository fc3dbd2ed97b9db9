# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled exploration core: a breadth-first loop over bit-packed states.

Why compiled: in the Python engine the model's own code runs rarely (its results are memoised in
tries); the time goes into the Python glue around those tries: walking dictionaries, slicing
tuples, hashing them. Here every slot value is interned per slot as a small integer, a state is
those integers packed into a few 64-bit words, the visited set is an open-addressing table over
the packed words, and the successor and property tries are dense integer arrays mirrored from
the Python ones. The core never runs a guard, an action or a property: on a table miss it hands
the state's slot numbers to a Python callback (:mod:`checker.compiled`), which asks the Python
product or memo for the answer and installs it here; Python stays the source of truth.

Layout of the tries (one pool of dense child arrays): a node branches on one slot (``k >= 0``)
or on the head message of channel slot ``~k``; its child for value number ``v`` is
``pool[base + v]`` when ``v < cap``. A child code ``>= 0`` is a node, ``-1`` a miss, and
``<= -2`` a leaf: successor leaf ``L`` is ``-2 - L``; a property leaf is ``-2`` (false) or
``-3`` (true). A channel-operation table is a node whose key is unused: old channel value
number -> new one, ``-2`` meaning the step overflows the channel.

``run_threads`` is the same loop with workers (native threads, OpenMP, no GIL) staging batches
of states ahead of it: see checker/_threads.pxi.
"""

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcpy, memmove, memset
from cython.parallel cimport parallel, threadid

from array import array
from time import perf_counter

cdef enum:
    MISS = -1
    STAGE_STATES = 64  # states whose successors are built before they are looked up
    STAGE_AHEAD = 16  # records between a table cell's fetch and its look-up


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


cdef class Core:
    """Interned slots, packed states, the visited set, the tries and the BFS loop."""

    # Read-mostly: what the loop and the workers read on every state (the storing thread
    # changes it only with the workers parked, see "threads"); the fields it writes on every
    # state come after it, on cache lines of their own, so a worker's reads never wait on them.
    cdef readonly int width
    cdef readonly int nw
    cdef int nleaders
    cdef int npred
    cdef int32_t* bw
    cdef int32_t* word
    cdef int32_t* shift
    cdef uint64_t* mask
    cdef int32_t* nvals
    cdef int32_t* cur
    cdef int32_t* nxt
    cdef uint64_t* key
    cdef IBuf* heads
    cdef list values
    cdef list ids
    cdef list head_ids
    cdef bint need_repack
    # states and the visited set
    cdef uint64_t* words
    cdef Py_ssize_t wcap
    cdef int32_t* table
    cdef Py_ssize_t tcap
    # tries and tables
    cdef IBuf node, pool, roots  # node c: key, cap, base at node.d[4c:4c+3] (one cache line)
    cdef IBuf lstart, lend, emove, wstart, wend, wslot, wval, cstart, cend, cslot, ctab
    # properties: kind 0 trigger, 1 invariant (hit when false), 2 goal (hit when true)
    cdef IBuf pkind, pactive, pfallback
    cdef LBuf phit
    cdef object kept_edges  # the edges once handed over (edges())
    cdef object cb
    cdef readonly str stop_reason
    cdef readonly int repacks
    # symmetry (see the section "symmetry" below): slots sharing one value numbering, the group
    cdef list members
    cdef readonly bint sym
    cdef bint gating
    cdef int ngroup
    cdef int32_t* gsrc
    cdef int32_t* gren
    cdef int32_t* best
    # fingerprint storage (see the section "fingerprints" below)
    cdef readonly bint fp
    cdef readonly Py_ssize_t base
    cdef readonly Py_ssize_t switch_at
    cdef readonly Py_ssize_t switched_at
    cdef uint64_t* ftab
    cdef Py_ssize_t fcap
    cdef uint64_t fmask
    cdef int32_t* fids
    # the slots each property's trie reads, and per entry the properties it may change (see
    # "judging less" below); its rows are the predicates judged in the run (add_pred's come
    # after it)
    cdef Readers preads
    # each leader's leaf for the states not yet expanded (``lrows`` is ``leaves.d``), and the
    # slots each leader's trie reads (see "leaves handed down" below)
    cdef bint lv
    cdef Readers lreads
    cdef int32_t* lrows
    cdef Py_ssize_t lbase
    # threads (see "threads" below): the ring of batches
    cdef Batch* ring
    cdef int nring
    cdef Py_ssize_t tbase  # batch n holds states tbase + n * STAGE_STATES on
    cdef int64_t tepoch  # bumped when the staged batches are dropped (a re-pack)
    cdef bint piping  # workers are running
    # written on every state
    cdef char pad0[64]
    cdef readonly Py_ssize_t count
    cdef IBuf parent
    cdef IBuf via
    cdef IBuf esrc, edst, emv  # edges
    cdef readonly Py_ssize_t transitions
    cdef readonly int depth
    cdef readonly Py_ssize_t deadlock
    cdef readonly bint overflowed
    cdef readonly bint complete
    cdef readonly Py_ssize_t concrete
    cdef readonly Py_ssize_t fused
    cdef LBuf parent64  # the parents once ids pass 2**31 (then ``parent`` is empty)
    cdef IBuf leaves
    cdef Batch sb  # the staged batch (see "staged expansion" below)
    cdef bint held  # the workers are parked for this state
    cdef object terr  # the storing thread's exception, raised once the workers are done
    # the counters the threads share, apart by who writes them
    cdef char pad1[64]
    cdef int64_t tclaim  # the next batch a worker may take (all)
    cdef char pad2[64]
    cdef int64_t tavail  # the states stored so far: a worker stages only those (storing)
    cdef int64_t tdone  # the batch being stored: the ones before it are done (storing)
    cdef int64_t thold  # the storing thread asks the workers to park (storing)
    cdef int64_t tstop  # (storing)
    cdef char pad3[64]
    cdef int64_t tparked  # the workers parked (workers)
    cdef int64_t tactive  # the workers running (workers)
    cdef char pad4[64]

    def __cinit__(self):
        self.bw = self.word = self.shift = self.nvals = self.cur = self.nxt = NULL
        self.mask = self.key = self.words = NULL
        self.heads = NULL
        self.table = NULL
        self.gsrc = self.gren = self.best = NULL
        self.ftab = NULL
        self.fids = NULL
        memset(&self.preads, 0, sizeof(Readers))
        memset(&self.lreads, 0, sizeof(Readers))
        memset(&self.sb, 0, sizeof(Batch))
        self.ring = NULL
        self.switch_at = self.switched_at = -1
        self.fmask = <uint64_t>0xFFFFFFFFFFFFFFFF

    def __init__(self, int width, list channel_slots, list init_bits, int nleaders, list kinds, cb):
        """``cb`` answers the misses: ``succ_miss(leader, ids)``, ``pred_miss(p, ids)``,
        ``pred_eval(p, ids)``, ``fill(table, old)``, ``overflow(sid, entry)``,
        ``is_final(sid)``."""
        cdef int s
        self.width = width
        self.nleaders = nleaders
        self.npred = len(kinds)
        self.cb = cb
        self.bw = <int32_t*>malloc(width * sizeof(int32_t))
        self.word = <int32_t*>malloc(width * sizeof(int32_t))
        self.shift = <int32_t*>malloc(width * sizeof(int32_t))
        self.mask = <uint64_t*>malloc(width * sizeof(uint64_t))
        self.nvals = <int32_t*>malloc(width * sizeof(int32_t))
        self.cur = <int32_t*>malloc(width * sizeof(int32_t))
        self.nxt = <int32_t*>malloc(width * sizeof(int32_t))
        self.key = <uint64_t*>malloc(width * sizeof(uint64_t))
        self.heads = <IBuf*>malloc(width * sizeof(IBuf))
        if not (self.bw and self.word and self.shift and self.mask and self.nvals and self.cur
                and self.nxt and self.key and self.heads) or batch_init(&self.sb, width) < 0:
            raise MemoryError()
        memset(self.heads, 0, width * sizeof(IBuf))
        self.values = [[] for _ in range(width)]
        self.ids = [{} for _ in range(width)]
        self.head_ids = [None] * width
        self.members = [[s] for s in range(width)]
        for s in channel_slots:
            self.head_ids[s] = {}
        for s in range(width):
            self.nvals[s] = 0
            self.bw[s] = init_bits[s]
        self._layout()
        for s in range(nleaders + self.npred):
            ib_push(&self.roots, MISS)
        for s in range(self.npred):
            ib_push(&self.pkind, kinds[s])
            ib_push(&self.pactive, 1)
            ib_push(&self.pfallback, 0)
            lb_push(&self.phit, -1)
        readers_init(&self.preads, self.npred, width)
        readers_init(&self.lreads, nleaders, width)
        self.tcap = 1024
        self.table = <int32_t*>malloc(self.tcap * sizeof(int32_t))
        if self.table == NULL:
            raise MemoryError()
        memset(self.table, 0xFF, self.tcap * sizeof(int32_t))
        self.count = 0
        self.deadlock = -1
        self.complete = True
        self.stop_reason = ""

    def __dealloc__(self):
        cdef int s
        if self.heads != NULL:
            for s in range(self.width):
                free(self.heads[s].d)
        free(self.parent.d)
        free(self.via.d)
        free(self.node.d)
        free(self.pool.d)
        free(self.roots.d)
        free(self.lstart.d)
        free(self.lend.d)
        free(self.emove.d)
        free(self.wstart.d)
        free(self.wend.d)
        free(self.wslot.d)
        free(self.wval.d)
        free(self.cstart.d)
        free(self.cend.d)
        free(self.cslot.d)
        free(self.ctab.d)
        free(self.pkind.d)
        free(self.pactive.d)
        free(self.pfallback.d)
        free(self.phit.d)
        free(self.esrc.d)
        free(self.edst.d)
        free(self.emv.d)
        free(self.bw)
        free(self.word)
        free(self.shift)
        free(self.mask)
        free(self.nvals)
        free(self.cur)
        free(self.nxt)
        free(self.key)
        free(self.heads)
        free(self.words)
        free(self.table)
        free(self.gsrc)
        free(self.gren)
        free(self.best)
        free(self.ftab)
        free(self.fids)
        readers_free(&self.preads)
        readers_free(&self.lreads)
        free(self.leaves.d)
        batch_free(&self.sb)
        free(self.parent64.d)

    # -- interning and packing ----------------------------------------------------------------
    cdef void _layout(self) noexcept:
        """Place every slot in a word (no slot straddles two words)."""
        cdef int s, w = 0, used = 0, b
        for s in range(self.width):
            b = self.bw[s]
            if used + b > 64:
                w += 1
                used = 0
            self.word[s] = w
            self.shift[s] = used
            self.mask[s] = ((<uint64_t>1) << b) - 1 if b < 64 else <uint64_t>0xFFFFFFFFFFFFFFFF
            used += b
        self.nw = w + 1

    def intern(self, int slot, value):
        """The number of ``value`` in ``slot`` (a new number the first time it is met)."""
        cdef dict known = self.ids[slot]
        cdef int32_t n
        found = known.get(value)
        if found is not None:
            return found
        n = self.nvals[slot]
        known[value] = n
        self.values[slot].append(value)
        heads = self.head_ids[slot]
        if heads is not None:
            head = value[0] if value else None
            h = heads.get(head)
            if h is None:
                h = heads[head] = len(heads)
        for m in self.members[slot]:  # the slots sharing this numbering (symmetry)
            self.nvals[<int>m] = n + 1
            if n + 1 > (1 << self.bw[<int>m]):
                self.need_repack = True
            if heads is not None:
                ib_push(&self.heads[<int>m], h)
        return n

    def value(self, int slot, int n):
        return self.values[slot][n]

    cdef inline uint64_t* _at(self, Py_ssize_t i) noexcept nogil:
        """State ``i``'s packed words (fingerprint mode keeps those of ids ``>= base``)."""
        return self.words + (i - self.base) * self.nw

    cdef inline void _unpack(self, Py_ssize_t i, int32_t* out) noexcept nogil:
        self._unpack_key(self._at(i), out)

    cdef inline void _unpack_key(self, uint64_t* w, int32_t* out) noexcept nogil:
        cdef int s
        for s in range(self.width):
            out[s] = <int32_t>((w[self.word[s]] >> self.shift[s]) & self.mask[s])

    cdef inline void _pack(self, int32_t* ids, uint64_t* out) noexcept nogil:
        # slots fill the words in order (``_layout``): each word is built in a register and
        # stored once (or-ing into memory slot by slot waited on the store before each or)
        cdef int s, w = 0
        cdef uint64_t acc = 0
        for s in range(self.width):
            if self.word[s] != w:
                out[w] = acc
                acc = 0
                w = self.word[s]
            acc |= (<uint64_t>ids[s]) << self.shift[s]
        out[w] = acc

    cdef inline void _put(self, uint64_t* k, int32_t s, int32_t v) noexcept nogil:
        cdef int32_t w = self.word[s]
        k[w] = (k[w] & ~(self.mask[s] << self.shift[s])) | ((<uint64_t>v) << self.shift[s])

    cdef inline uint64_t _hash(self, uint64_t* k) noexcept nogil:
        cdef uint64_t h = <uint64_t>0x9E3779B97F4A7C15
        cdef int j
        for j in range(self.nw):
            h = mix(h ^ k[j]) + j
        return h

    cdef int _rehash(self, Py_ssize_t cap) except -1:
        cdef int32_t* t = <int32_t*>malloc(cap * sizeof(int32_t))
        cdef Py_ssize_t i, h, m = cap - 1
        if t == NULL:
            raise MemoryError()
        memset(t, 0xFF, cap * sizeof(int32_t))
        for i in range(self.count):
            if i + 16 < self.count:  # the cell of a state further on, fetched ahead
                prefetch(&t[self._hash(self.words + (i + 16) * self.nw) & m])
            h = self._hash(self.words + i * self.nw) & m
            while t[h] >= 0:
                h = (h + 1) & m
            t[h] = <int32_t>i
        free(self.table)
        self.table = t
        self.tcap = cap
        return 0

    cdef int _repack(self) except -1:
        """Widen the slots that outgrew their bits and re-pack every stored state."""
        cdef int s, old_nw = self.nw
        cdef Py_ssize_t i
        cdef uint64_t* fresh
        cdef int32_t* tmp = <int32_t*>malloc(self.width * sizeof(int32_t))
        cdef int32_t* oword = <int32_t*>malloc(self.width * sizeof(int32_t))
        cdef int32_t* oshift = <int32_t*>malloc(self.width * sizeof(int32_t))
        cdef uint64_t* omask = <uint64_t*>malloc(self.width * sizeof(uint64_t))
        if not (tmp and oword and oshift and omask):
            raise MemoryError()
        memcpy(oword, self.word, self.width * sizeof(int32_t))
        memcpy(oshift, self.shift, self.width * sizeof(int32_t))
        memcpy(omask, self.mask, self.width * sizeof(uint64_t))
        for s in range(self.width):
            if self.nvals[s] > (1 << self.bw[s]):
                self.bw[s] = bit_length(self.nvals[s] - 1) + 1  # room to double
                if self.bw[s] > 31:
                    raise OverflowError("a slot holds more than 2**31 distinct values")
        self._layout()
        self.wcap = max(self.count - self.base, 16)
        fresh = <uint64_t*>malloc(self.wcap * self.nw * sizeof(uint64_t))
        if fresh == NULL:
            raise MemoryError()
        for i in range(self.count - self.base):
            for s in range(self.width):
                tmp[s] = <int32_t>((self.words[i * old_nw + oword[s]] >> oshift[s]) & omask[s])
            self._pack(tmp, fresh + i * self.nw)
        free(self.words)
        self.words = fresh
        free(tmp)
        free(oword)
        free(oshift)
        free(omask)
        if not self.fp:  # fingerprints hash value numbers, which a re-pack leaves alone
            self._rehash(self.tcap)
        self.need_repack = False
        self.repacks += 1
        return 0

    cdef inline Py_ssize_t _probe(self, uint64_t* k, Py_ssize_t* where) noexcept nogil:
        """The number of state ``k`` (-1: not stored; ``where`` is then its free cell)."""
        return self._probe_h(k, self._hash(k), where)

    cdef inline Py_ssize_t _probe_h(self, uint64_t* k, uint64_t hash,
                                    Py_ssize_t* where) noexcept nogil:
        """:meth:`_probe` of ``k`` whose hash is ``hash``."""
        cdef Py_ssize_t m = self.tcap - 1
        cdef Py_ssize_t h = hash & m
        cdef int32_t j
        cdef int w, nw = self.nw
        cdef uint64_t* x
        while True:
            j = self.table[h]
            if j < 0:
                where[0] = h
                return -1
            x = self.words + <Py_ssize_t>j * nw
            w = 0
            while w < nw and x[w] == k[w]:  # a few words: no call to memcmp
                w += 1
            if w == nw:
                return j
            h = (h + 1) & m

    cdef Py_ssize_t _find_or_add(self, uint64_t* k, bint* fresh) except -2:
        """The number of state ``k``, adding it if new (fingerprint mode: -1 for a state
        already seen, whose number it does not keep)."""
        if self.fp:
            return self._fp_add(k, fresh)
        return self._find_or_add_h(k, self._hash(k), fresh)

    cdef Py_ssize_t _find_or_add_h(self, uint64_t* k, uint64_t hash, bint* fresh) except -2:
        """:meth:`_find_or_add` of ``k`` whose hash is ``hash`` (exact storage only)."""
        cdef Py_ssize_t h, j
        cdef size_t size = self.nw * sizeof(uint64_t)
        cdef uint64_t* p
        j = self._probe_h(k, hash, &h)
        if j >= 0:
            fresh[0] = False
            return j
        if self.count >= 0x7FFFFFFF:
            raise OverflowError("more than 2**31 states")
        if self.count == self.wcap:
            self._hold()
            self.wcap = self.wcap * 2 if self.wcap else 1024
            p = <uint64_t*>realloc(self.words, self.wcap * size)
            if p == NULL:
                raise MemoryError()
            self.words = p
        memcpy(self.words + self.count * self.nw, k, size)
        vfp_set_cell(&self.table[h], <int32_t>self.count)  # (after the words: see "threads")
        self.count += 1
        fresh[0] = True
        if self.count * 2 > self.tcap:
            self._hold()
            self._rehash(self.tcap * 2)
        return self.count - 1

    # -- tries --------------------------------------------------------------------------------
    cdef inline int32_t _walk(self, int32_t code, int32_t* ids) noexcept nogil:
        cdef int32_t k, v
        cdef int32_t* nd
        while code >= 0:
            nd = self.node.d + 4 * code
            k = nd[0]
            if k >= 0:
                v = ids[k]
            else:
                v = self.heads[~k].d[ids[~k]]
            if v >= nd[1]:
                return MISS
            code = self.pool.d[nd[2] + v]
        return code

    cdef int32_t _new_node(self, int32_t k) except -2:
        ib_push(&self.node, k)
        ib_push(&self.node, 0)
        ib_push(&self.node, 0)
        ib_push(&self.node, 0)
        return <int32_t>(self.node.n // 4 - 1)

    cdef inline int32_t _child(self, int32_t node, int32_t v) noexcept nogil:
        cdef int32_t* nd = self.node.d + 4 * node
        if v >= nd[1]:
            return MISS
        return self.pool.d[nd[2] + v]

    cdef int _set_child(self, int32_t node, int32_t v, int32_t code) except -1:
        cdef int32_t cap = self.node.d[4 * node + 1], new_cap, base, j
        if v >= cap:
            new_cap = 4
            while new_cap <= v:
                new_cap *= 2
            base = <int32_t>self.pool.n
            ib_reserve(&self.pool, self.pool.n + new_cap)
            for j in range(new_cap):
                self.pool.d[base + j] = self.pool.d[self.node.d[4 * node + 2] + j] if j < cap else MISS
            self.pool.n += new_cap
            self.node.d[4 * node + 2] = base
            self.node.d[4 * node + 1] = new_cap
        self.pool.d[self.node.d[4 * node + 2] + v] = code
        return 0

    cdef int32_t _key_value(self, int32_t k, list ids) except -2:
        if k >= 0:
            return ids[k]
        return self.heads[~k].d[<int32_t>ids[~k]]

    def install(self, int root, list keys, list ids, int leaf):
        """Record one path of a Python trie: ``keys`` are the slots it branches on, in order;
        the state ``ids`` gives the values taken; ``leaf`` is where it ends."""
        cdef int32_t code = self.roots.d[root], child, v
        cdef Py_ssize_t n, last = len(keys) - 1
        for v in keys:
            if root >= self.nleaders:
                self._reads(&self.preads, root - self.nleaders, v if v >= 0 else ~v)
            else:
                self._reads(&self.lreads, root, v if v >= 0 else ~v)
        if last < 0:
            self.roots.d[root] = leaf
            return
        if code == MISS:
            code = self._new_node(keys[0])
            self.roots.d[root] = code
        elif code < 0 or self.node.d[4 * code] != keys[0]:
            raise AssertionError("the compiled trie disagrees with the Python one")
        for n in range(last + 1):
            v = self._key_value(keys[n], ids)
            if n == last:
                self._set_child(code, v, leaf)
                return
            child = self._child(code, v)
            if child == MISS:
                child = self._new_node(keys[n + 1])
                self._set_child(code, v, child)
            elif child < 0 or self.node.d[4 * child] != keys[n + 1]:
                raise AssertionError("the compiled trie disagrees with the Python one")
            code = child

    def new_table(self):
        """A fresh channel-operation table (old channel value -> new one)."""
        return self._new_node(0)

    def add_leaf(self, list entries):
        """A successor leaf: ``entries`` of ``(move, [(slot, value)], [(channel slot, table)])``;
        returns its code and the number of its first entry."""
        cdef Py_ssize_t first = self.emove.n
        ib_push(&self.lstart, <int32_t>first)
        for m, writes, chans in entries:
            ib_push(&self.emove, m)
            ib_push(&self.wstart, <int32_t>self.wslot.n)
            for slot, val in writes:
                ib_push(&self.wslot, slot)
                ib_push(&self.wval, val)
            ib_push(&self.wend, <int32_t>self.wslot.n)
            ib_push(&self.cstart, <int32_t>self.cslot.n)
            for slot, t in chans:
                ib_push(&self.cslot, slot)
                ib_push(&self.ctab, t)
            ib_push(&self.cend, <int32_t>self.cslot.n)
        ib_push(&self.lend, <int32_t>self.emove.n)
        return -2 - (self.lstart.n - 1), first

    def set_fallback(self, int p):
        """Property ``p`` cannot be tabled (it reads the raw state): ask Python every time."""
        cdef int s
        self.pfallback.d[p] = 1
        for s in range(self.width):  # it may read anything
            self._reads(&self.preads, p, s)

    # -- judging less -------------------------------------------------------------------------
    # A new state is judged only on the predicates its move may change. A predicate still
    # active has had its "not hit" value in every state judged so far (an invariant holds, a
    # goal or an antecedent does not; its first hit deactivates it), the parent included. If
    # the move writes no slot that any path of the predicate's trie reads, the new state
    # agrees with its parent on every slot of the parent's path, takes that path, and has the
    # parent's value: nothing to judge. The slots of a trie only grow (a miss installs a path),
    # so the parent's path was among them. A predicate that reads the raw state reads every
    # slot. (Symmetry stores a state's canonical image, which differs from its parent in more
    # than the move's slots: there every state is judged in full.)

    cdef int _reads(self, Readers* r, int row, int slot) except -1:
        """Row ``row``'s trie reads ``slot`` (the entries' masks are stale if that is new)."""
        if not r.slot[row * self.width + slot]:
            r.slot[row * self.width + slot] = 1
            r.ver += 1
        return 0

    cdef uint64_t* _touched(self, Readers* r, int32_t e) except NULL:
        """The rows (a bit each) of ``r`` that entry ``e``'s move may change: those reading a
        slot it writes or a channel it operates on."""
        cdef Py_ssize_t c, cap
        cdef int row, w, nw = r.nw
        cdef uint64_t* m
        cdef void* q
        if e >= r.mcap:
            cap = max(self.emove.n, e + 1, 64)
            q = realloc(r.mask, cap * max(nw, 1) * sizeof(uint64_t))
            if q == NULL:
                raise MemoryError()
            r.mask = <uint64_t*>q
            q = realloc(r.mver, cap * sizeof(int32_t))
            if q == NULL:
                raise MemoryError()
            r.mver = <int32_t*>q
            for c in range(r.mcap, cap):
                r.mver[c] = -1
            r.mcap = cap
        m = r.mask + e * nw
        if r.mver[e] != r.ver:
            memset(m, 0, nw * sizeof(uint64_t))
            for row in range(r.rows):
                for w in range(self.wstart.d[e], self.wend.d[e]):
                    if r.slot[row * self.width + self.wslot.d[w]]:
                        m[row >> 6] |= (<uint64_t>1) << (row & 63)
                for c in range(self.cstart.d[e], self.cend.d[e]):
                    if r.slot[row * self.width + self.cslot.d[c]]:
                        m[row >> 6] |= (<uint64_t>1) << (row & 63)
            r.mver[e] = r.ver
        return m

    # -- the loop -----------------------------------------------------------------------------
    cdef list _ids(self, int32_t* ids):
        return [ids[s] for s in range(self.width)]

    cdef int _after_miss(self) except -1:
        if self.need_repack:
            self._repack()
        return 0

    cdef int _judge(self, Py_ssize_t sid, int32_t* ids, signed char* pre=NULL,
                    int32_t e=-1) except -1:
        """Judge state ``sid`` (slot numbers ``ids``) on every active property; ``pre``, when
        given, holds each predicate's truth as a worker found it (2: not known); ``e >= 0``:
        the state is new by entry ``e`` from a judged state (judge only what it may change)."""
        cdef int p, wi
        cdef uint64_t bits
        cdef uint64_t* m
        if e < 0:
            for p in range(self.npred):
                if self.pactive.d[p]:
                    self._judge_one(sid, ids, pre, p)
            return 0
        m = self._touched(&self.preads, e)
        for wi in range(self.preads.nw):  # (add_pred's predicates are never active in a run)
            bits = m[wi]
            while bits:
                p = wi * 64 + ctz64(bits)
                bits &= bits - 1
                if self.pactive.d[p]:
                    self._judge_one(sid, ids, pre, p)
        return 0

    cdef int _judge_one(self, Py_ssize_t sid, int32_t* ids, signed char* pre, int p) except -1:
        """Predicate ``p`` (active) on state ``sid``: deactivated at its first hit."""
        cdef int kind
        cdef int32_t code
        cdef bint r
        if pre != NULL and pre[p] < 2:
            r = pre[p]
        elif self.pfallback.d[p]:
            r = bool(self.cb.pred_eval(p, self._ids(ids)))
        else:
            code = self._walk(self.roots.d[self.nleaders + p], ids)
            if code == MISS:
                self._hold()
                code = self.cb.pred_miss(p, self._ids(ids))
                self._after_miss()
            r = code == -3
        kind = self.pkind.d[p]
        if kind == 0:
            if r:
                self.pactive.d[p] = 0
        elif kind == 1:
            if not r:
                self.pactive.d[p] = 0
                self.phit.d[p] = sid
        elif r:
            self.pactive.d[p] = 0
            self.phit.d[p] = sid
        return 0

    def start(self, list initial):
        """Store the initial state (slot value numbers) as state 0 and judge it."""
        cdef int s
        cdef bint fresh
        for s in range(self.width):
            self.cur[s] = initial[s]
        if self.sym:  # the initial state's orbit stands for it
            self.concrete = (self.ngroup + 1) // self._canon(self.cur)
            memcpy(self.cur, self.best, self.width * sizeof(int32_t))
        self._after_miss()
        self._pack(self.cur, self.key)
        self._find_or_add(self.key, &fresh)
        self._add_parent(-1)
        ib_push(&self.via, -1)
        self._judge(0, self.cur)
        if self.gating:
            self.cb.gate(0)

    def run(self, Py_ssize_t max_states, bint want_deadlock, bint keep_edges, progress, guard,
            double start):
        """Breadth first from state 0 until done or a limit (``max_states < 0``: none)."""
        self._leaves_begin()
        try:
            self._serial(0, 1, max_states, want_deadlock, keep_edges, progress, guard, start)
        finally:
            self._leaves_end()
        self._trim()

    cdef int _leaves_begin(self) except -1:
        """Hand leaves down in this run (see "leaves handed down") where they can be."""
        cdef Py_ssize_t k
        self.lv = not self.sym and not self.fp and 0 < self.nleaders <= 64
        if self.lv:
            self.leaves.n = 0
            self.lbase = 0
            for k in range(self.count * self.nleaders):
                ib_push(&self.leaves, MISS)
            self.lrows = self.leaves.d
        return 0

    cdef void _leaves_end(self) noexcept:
        self.lv = False
        free(self.leaves.d)
        self.leaves.d = self.lrows = NULL
        self.leaves.n = self.leaves.cap = 0

    cdef int _serial(self, Py_ssize_t i, Py_ssize_t level_end, Py_ssize_t max_states,
                     bint want_deadlock, bint keep_edges, progress, guard,
                     double start) except -1:
        """The loop of :meth:`run` from state ``i`` (``level_end``: where its level ends)."""
        while i < self.count:
            if i == level_end:
                self.depth += 1
                level_end = self.count
                if self.fp:
                    self._forget_before(i)
                if self.lv:
                    self._leaves_from(i)
            if self.fp:
                self._expand(i, want_deadlock, keep_edges)
            else:
                self._expand_staged(i, want_deadlock, keep_edges)
            i += 1
            if 0 <= self.switch_at <= self.count and not self.fp:
                self._to_fingerprints(i)
                self.lv = False
            if self._stop(i, max_states, progress, guard, start):
                break
        return 0

    cdef int _expand(self, Py_ssize_t i, bint want_deadlock, bint keep_edges) except -1:
        """Expand state ``i``: its successors stored, its edges, its dead end (the misses
        answered as they are met)."""
        cdef Py_ssize_t e, j
        cdef int li, w, c, c2
        cdef int32_t code, L, t, sl, old, new
        cdef bint any_succ = False, ovf, fresh
        cdef int32_t* cur = self.cur
        cdef uint64_t* key = self.key
        self._hold()  # Python answers the misses met here
        self._unpack(i, cur)
        for li in range(self.nleaders):
            code = self._walk(self.roots.d[li], cur)
            if code == MISS:
                code = self.cb.succ_miss(li, self._ids(cur))
                self._after_miss()
            L = -2 - code
            for e in range(self.lstart.d[L], self.lend.d[L]):
                # the successor is state i's packed words with a few fields replaced
                memcpy(key, self._at(i), self.nw * sizeof(uint64_t))
                for w in range(self.wstart.d[e], self.wend.d[e]):
                    self._put(key, self.wslot.d[w], self.wval.d[w])
                ovf = False
                for c in range(self.cstart.d[e], self.cend.d[e]):
                    t = self.ctab.d[c]
                    sl = self.cslot.d[c]
                    old = cur[sl]
                    new = self._child(t, old)
                    if new == MISS:
                        new = self.cb.fill(t, old)
                        self._set_child(t, old, new)
                        if self.need_repack:
                            self._repack()
                            memcpy(key, self._at(i), self.nw * sizeof(uint64_t))
                            for w in range(self.wstart.d[e], self.wend.d[e]):
                                self._put(key, self.wslot.d[w], self.wval.d[w])
                            for c2 in range(self.cstart.d[e], c):
                                self._put(key, self.cslot.d[c2],
                                          self._child(self.ctab.d[c2], cur[self.cslot.d[c2]]))
                    if new == -2:
                        ovf = True
                        break
                    self._put(key, sl, new)
                if ovf:
                    self._overflow(i, e)
                    continue
                any_succ = True
                self.transitions += 1
                if self.sym:
                    j = self._find_canon(key, &fresh)
                else:
                    j = self._find_or_add(key, &fresh)
                self._arrive(i, j, <int32_t>e, fresh, keep_edges, NULL)
        self._dead_end(i, any_succ, want_deadlock)
        return 0

    # -- leaves handed down --------------------------------------------------------------------
    # Expanding a state walks every leader's successor trie. A new state differs from the
    # parent it was found from only in the slots its move writes; a leader whose trie reads
    # none of them (on any of its paths, so on the parent's) takes the parent's path to the
    # parent's leaf. So each new state gets its leaves when it arrives: the parent's, except
    # for the leaders the move may change, which are walked (a miss is left for the expansion,
    # where the walk is tried again and Python answers it, as before: every Python call comes
    # in the same order). Kept for the states not yet expanded only: from the start of the
    # level being expanded on. Symmetry stores canonical images and fingerprints forget the
    # states: both walk every leader at expansion.

    cdef int _inherit(self, Py_ssize_t i, Py_ssize_t j, int32_t e) except -1:
        """New state ``j`` (its numbers in ``nxt``), found from ``i`` by entry ``e``: its
        leaves, the parent's where the move cannot change them."""
        cdef int li, L = self.nleaders
        cdef uint64_t m = self._touched(&self.lreads, e)[0]  # (at most 64 leaders here)
        cdef int32_t* src
        cdef int32_t* dst
        if self.leaves.n + L > self.leaves.cap:
            self._hold()
            ib_reserve(&self.leaves, self.leaves.n + L)
            self.lrows = self.leaves.d
        src = self.leaves.d + (i - self.lbase) * L
        dst = self.leaves.d + (j - self.lbase) * L
        for li in range(L):
            if (m >> li) & 1:
                dst[li] = self._walk(self.roots.d[li], self.nxt)
            else:
                dst[li] = src[li]
        self.leaves.n += L
        return 0

    cdef int _leaves_from(self, Py_ssize_t i) except -1:
        """States before ``i`` are expanded: drop their leaves."""
        cdef Py_ssize_t drop = (i - self.lbase) * self.nleaders
        self._hold()
        memmove(self.leaves.d, self.leaves.d + drop, (self.leaves.n - drop) * sizeof(int32_t))
        self.leaves.n -= drop
        self.lbase = i
        return 0

    # -- staged expansion ---------------------------------------------------------------------
    # A visited-set look-up waits on memory twice (a random table cell, then the random stored
    # state it points at), and the look-ups of one state's successors, and of the next states',
    # do not depend on one another. So the serial loop builds the successors of a batch of
    # states first (answering misses as it meets them, in state order: every value is numbered
    # as the one-state loop numbers it), then looks them up in state order, the table cell of
    # the look-up STAGE_AHEAD records ahead and the stored state of the one half as far ahead
    # already on their way. Only the memory traffic overlaps: states, numbers, parents, moves,
    # edges and verdicts are those of ``_expand``. A re-pack (a miss numbered a value that
    # needs more bits) changes every packed word, so the batch is built again. With symmetry
    # the successors are staged as their canonical images, reading the tables only: the
    # renamings that canonical forms ask Python for number values too, and must come in the
    # one-state order, so a state whose staging would ask Python ends the batch and is
    # expanded by ``_expand``. Fingerprints keep ``_expand`` (no cells to fetch ahead).

    cdef Py_ssize_t _stage_ro(self, Batch* b, Py_ssize_t k, Py_ssize_t n) noexcept nogil:
        """Stage state ``k``'s successors into ``b`` from record ``n`` on, reading the tables
        only (a worker thread may run it): the next free record; -2 at the first miss
        (``b.mkind`` says which), -3 without memory. With symmetry each successor is staged
        as its orbit's least image, as ``_find_canon`` finds it (a stored representative is
        its own least image)."""
        cdef int li, w, c, nw = self.nw
        cdef int32_t code, L, new, sl
        cdef Py_ssize_t e, hits, at
        cdef int32_t* cur = b.cur
        cdef uint64_t* key
        cdef int32_t* row = NULL
        self._unpack(k, cur)
        if self.lv:
            row = self.lrows + (k - self.lbase) * self.nleaders
        for li in range(self.nleaders):
            code = MISS if row == NULL else row[li]
            if code == MISS:
                code = self._walk(self.roots.d[li], cur)
                if code == MISS:
                    b.mkind, b.mrow = 1, li
                    return -2
                if row != NULL:
                    row[li] = code
            L = -2 - code
            for e in range(self.lstart.d[L], self.lend.d[L]):
                if batch_room(b, n + 1, nw) < 0:
                    return -3
                key = b.keys + n * nw
                b.ent[n] = <int32_t>e
                if self.sym:  # built as slot numbers, to be canonicalised (below)
                    memcpy(b.ids, cur, self.width * sizeof(int32_t))
                    for w in range(self.wstart.d[e], self.wend.d[e]):
                        b.ids[self.wslot.d[w]] = self.wval.d[w]
                else:
                    memcpy(key, self._at(k), nw * sizeof(uint64_t))
                    for w in range(self.wstart.d[e], self.wend.d[e]):
                        self._put(key, self.wslot.d[w], self.wval.d[w])
                for c in range(self.cstart.d[e], self.cend.d[e]):
                    sl = self.cslot.d[c]
                    new = self._child(self.ctab.d[c], cur[sl])
                    if new == MISS:
                        b.mkind, b.mrow, b.mval = 2, self.ctab.d[c], cur[sl]
                        return -2
                    if new == -2:
                        b.ent[n] = -2 - <int32_t>e  # the step overflows a channel
                        break
                    if self.sym:
                        b.ids[sl] = new
                    else:
                        self._put(key, sl, new)
                if self.sym and b.ent[n] >= 0:
                    hits = self._least(b.ids, b.best, &at)
                    if hits < 0:
                        b.mkind = 3
                        return -2
                    self._pack(b.best, key)
                    b.size[n] = <int32_t>((self.ngroup + 1) // hits)
                b.hash[n] = self._hash(key)
                n += 1
        return n

    cdef Py_ssize_t _stage_one(self, Batch* b, Py_ssize_t k, Py_ssize_t n) except -3:
        """:meth:`_stage_ro`, each miss answered by Python as it is met (then the state is
        staged again: the answers come in the one-state loop's order); -1 when an answer
        re-packed the states (everything staged is stale). With symmetry nothing may ask
        Python (the renamings number values in ``_expand``'s order): -2 at the first miss."""
        cdef Py_ssize_t r
        cdef int rp = self.repacks
        while True:
            r = self._stage_ro(b, k, n)
            if r >= 0:
                return r
            if r == -3:
                raise MemoryError()
            if self.sym:
                return -2
            if b.mkind == 1:
                self.cb.succ_miss(b.mrow, self._ids(b.cur))
            else:
                self._set_child(b.mrow, b.mval, self.cb.fill(b.mrow, b.mval))
            self._after_miss()
            if self.repacks != rp:
                return -1

    cdef int _stage(self, Batch* b, Py_ssize_t lo, Py_ssize_t hi) except -1:
        """Stage the successors of states ``lo`` to ``hi`` into ``b`` (up to STAGE_STATES;
        with symmetry the batch ends before a state that needs Python, ``b.left``)."""
        cdef Py_ssize_t k = lo, r, n = 0
        b.left = -1
        b.probed = False
        while k < hi:
            b.first[k - lo] = n
            r = self._stage_one(b, k, n)
            if r == -1:  # a re-pack: build the batch again (its misses are answered now)
                k, n = lo, 0
                continue
            if r == -2:  # symmetry: Python must answer: the batch ends here
                b.left = k
                break
            n = r
            k += 1
        b.first[k - lo] = n
        b.lo, b.hi, b.repacks = lo, k, self.repacks
        return 0

    cdef int _expand_staged(self, Py_ssize_t i, bint want_deadlock, bint keep_edges) except -1:
        """:meth:`_expand` of state ``i`` from the staged batch (staging it first if needed)."""
        cdef Batch* b = &self.sb
        if i == b.left:  # symmetry, and Python has to answer: the one-state loop
            b.left = -1  # (its answers may re-pack: stage afresh after it)
            b.hi = b.lo
            return self._expand(i, want_deadlock, keep_edges)
        if not (b.lo <= i < b.hi) or b.repacks != self.repacks:
            self._stage(b, i, min(self.count, i + STAGE_STATES))
            if i == b.left:
                return self._expand_staged(i, want_deadlock, keep_edges)
        return self._take(i, b, want_deadlock, keep_edges)

    cdef int _take(self, Py_ssize_t i, Batch* b, bint want_deadlock, bint keep_edges) except -1:
        """Store state ``i``'s staged successors in order (a worker's look-ups taken as found;
        the table cell of the look-up STAGE_AHEAD records on, and the stored state of the one
        half as far, fetched ahead)."""
        cdef Py_ssize_t r, end, ahead, last, j, m
        cdef int32_t e
        cdef int nw = b.nw
        cdef bint any_succ = False, fresh
        r = b.first[i - b.lo]
        end = b.first[i - b.lo + 1]
        last = b.first[b.hi - b.lo]
        while r < end:
            m = self.tcap - 1
            ahead = r + STAGE_AHEAD
            if ahead < last:
                prefetch(&self.table[b.hash[ahead] & m])
            ahead = r + STAGE_AHEAD // 2
            if ahead < last:
                j = self.table[b.hash[ahead] & m]
                if j >= 0:
                    prefetch(self.words + j * nw)
            e = b.ent[r]
            if e < 0:
                self._overflow(i, -2 - e)
                r += 1
                continue
            any_succ = True
            self.transitions += 1
            if b.probed and b.found[r] >= 0:
                j = b.found[r]
                fresh = False
            else:
                j = self._find_or_add_h(b.keys + r * nw, b.hash[r], &fresh)
            if fresh and self.sym:
                self.concrete += b.size[r]
            self._arrive(i, j, e, fresh, keep_edges, NULL)
            r += 1
            if b.repacks != self.repacks:
                # only a new value re-packs, and only successors and symmetry number values;
                # a property's answer never does, so the staged keys stay valid here
                raise AssertionError("the states were re-packed while a state was looked up")
        self._dead_end(i, any_succ, want_deadlock)
        return 0

    cdef int _overflow(self, Py_ssize_t i, Py_ssize_t e) except -1:
        """Entry ``e`` overflows a channel from state ``i`` (the first such step is reported)."""
        if not self.overflowed:
            self._hold()
            self.overflowed = True
            self.cb.overflow(i, e)
        return 0

    cdef int _arrive(self, Py_ssize_t i, Py_ssize_t j, int32_t e, bint fresh, bint keep_edges,
                     signed char* pre) except -1:
        """Entry ``e`` leads from state ``i`` to state ``j`` (new if ``fresh``: its parent and
        move, its judgement; ``pre``: its predicates' truths as known, or NULL)."""
        if fresh:
            self._add_parent(i)
            ib_push(&self.via, self.emove.d[e])
            if self.gating:
                self._hold()
                self.cb.gate(j)
            if self.npred > 0 or self.lv:
                self._unpack(j, self.nxt)
            if self.lv:
                self._inherit(i, j, e)
            if self.npred > 0:
                self._judge(j, self.nxt, pre, -1 if self.sym else e)
        if keep_edges:
            ib_push(&self.esrc, <int32_t>i)
            ib_push(&self.edst, <int32_t>j)
            ib_push(&self.emv, self.emove.d[e])
        return 0

    cdef int _dead_end(self, Py_ssize_t i, bint any_succ, bint want_deadlock) except -1:
        if not any_succ and want_deadlock and self.deadlock < 0:
            if not self.cb.is_final(i):
                self.deadlock = i
        return 0

    cdef bint _stop(self, Py_ssize_t i, Py_ssize_t max_states, progress, guard,
                    double start) except -1:
        """After the first ``i`` states: report progress; stop at a limit (saying which)."""
        if (i & 0x3FFF) == 0 and progress is not None:
            progress(self.count, self.count - i, perf_counter() - start)
        if guard.tripped and i < self.count:
            self.complete = False
            self.stop_reason = f"memory limit of {guard.limit_mb} MB"
            return True
        if 0 <= max_states <= self.count and i < self.count:
            self.complete = False
            self.stop_reason = f"state limit of {max_states}"
            return True
        return False

    # -- threads ------------------------------------------------------------------------------
    # (checker/_threads.pxi) Workers stage batches of the frontier ahead of this thread, which
    # stores them in state order; they read the tables only, and park while this thread
    # changes what they read.

    def run_threads(self, Py_ssize_t max_states, bint want_deadlock, bint keep_edges, progress,
                    guard, double start, int workers):
        """:meth:`run` with ``workers - 1`` threads staging batches ahead (the same results)."""
        self._leaves_begin()
        try:
            threads_run(self, max_states, want_deadlock, keep_edges, progress, guard, start,
                        workers)
        finally:
            self._leaves_end()
        self._trim()

    cdef void _hold(self) noexcept nogil:
        """Park the workers (until this state is stored) before this thread changes what they
        read: a table's growth, Python's answers, the leaves' move."""
        cdef int spins = 0
        if not self.piping or self.held:
            return
        vfp_store(&self.thold, 1)
        while vfp_load(&self.tparked) < vfp_load(&self.tactive):
            vfp_relax(&spins)
        self.held = True

    cdef void _unhold(self) noexcept nogil:
        if self.held:
            vfp_store(&self.thold, 0)
            self.held = False

    cdef Py_ssize_t _probe_ro(self, uint64_t* k, uint64_t hash) noexcept nogil:
        """:meth:`_probe_h` on a worker while this thread adds states (a cell is read
        acquiring, as it is set releasing, after its state's words)."""
        cdef Py_ssize_t m = self.tcap - 1
        cdef Py_ssize_t h = hash & m
        cdef int32_t j
        cdef int w, nw = self.nw
        cdef uint64_t* x
        while True:
            j = vfp_cell(&self.table[h])
            if j < 0:
                return -1
            x = self.words + <Py_ssize_t>j * nw
            w = 0
            while w < nw and x[w] == k[w]:
                w += 1
            if w == nw:
                return j
            h = (h + 1) & m

    cdef void _trim(self) noexcept:
        """No state is added after the run: return the slack of the growing buffers."""
        cdef uint64_t* p
        cdef Py_ssize_t kept = self.count - self.base
        if 0 < kept < self.wcap:
            p = <uint64_t*>realloc(self.words, kept * self.nw * sizeof(uint64_t))
            if p != NULL:
                self.words = p
                self.wcap = kept
        if 0 < self.parent64.n < self.parent64.cap:
            p = <uint64_t*>realloc(self.parent64.d, self.parent64.n * sizeof(int64_t))
            if p != NULL:
                self.parent64.d = <int64_t*>p
                self.parent64.cap = self.parent64.n
        ib_trim(&self.parent)
        ib_trim(&self.via)

    # -- symmetry -----------------------------------------------------------------------------
    # A group of slot permutations with renamings (checker/symmetry.py declares it; the bridge,
    # checker/compiled.py, lists every element). Slots that an element moves onto one another
    # share one value numbering, so moving a slot moves its number. A state is stored as its
    # least image (slot by slot, by value number): numbers are never reassigned, so the least
    # image of an orbit is the same whenever it is computed. Every element is tried.

    def share(self, list pool_of):
        """Slot ``s`` numbers its values as slot ``pool_of[s] <= s`` does (before any value
        is interned)."""
        cdef int s, r
        for s in range(self.width):
            r = pool_of[s]
            if r == s:
                continue
            self.ids[s] = self.ids[r]
            self.values[s] = self.values[r]
            if self.head_ids[s] is not None:
                self.head_ids[s] = self.head_ids[r]
            self.members[r].append(s)
            self.members[s] = self.members[r]

    def set_group(self, list sources, list renamed, bint gate):
        """The group's elements but the identity: ``sources[g][s]`` is the slot whose value
        element ``g`` moves into slot ``s``; then each slot of ``renamed`` is renamed through a
        table (a node: old value number -> new, filled by ``cb.rename(table, old)``). Returns
        the table numbers, ``[g][k]`` for ``renamed[k]``. ``gate``: ``cb.gate(sid)`` checks
        every new state's images against the properties not declared symmetric."""
        cdef int g, s, W = self.width
        cdef Py_ssize_t n = max(1, len(sources) * W)
        self.ngroup = len(sources)
        self.gsrc = <int32_t*>malloc(n * sizeof(int32_t))
        self.gren = <int32_t*>malloc(n * sizeof(int32_t))
        self.best = <int32_t*>malloc(W * sizeof(int32_t))
        if not (self.gsrc and self.gren and self.best):
            raise MemoryError()
        out = []
        for g in range(self.ngroup):
            tables = []
            for s in range(W):
                self.gsrc[g * W + s] = sources[g][s]
                self.gren[g * W + s] = MISS
            for s in renamed:
                self.gren[g * W + s] = self._new_node(0)
                tables.append(self.gren[g * W + s])
            out.append(tables)
        self.sym = True
        self.gating = gate
        return out

    cdef inline int32_t _image(self, int32_t* ids, Py_ssize_t g, int s,
                               Py_ssize_t* miss) noexcept nogil:
        """Slot ``s`` of element ``g``'s image of ``ids`` (MISS: its rename table has no
        answer yet; ``miss`` is then the element's cell)."""
        cdef Py_ssize_t at = g * self.width + s
        cdef int32_t v = ids[self.gsrc[at]]
        cdef int32_t t = self.gren[at]
        cdef int32_t new
        if t < 0:
            return v
        new = self._child(t, v)
        if new == MISS:
            miss[0] = at
        return new

    cdef Py_ssize_t _least(self, int32_t* ids, int32_t* best, Py_ssize_t* miss) noexcept nogil:
        """``best``: the least image of ``ids``; returns how many elements give it (the
        stabiliser's size, so the orbit has ``order / that`` states), or -1 at the first
        rename-table miss (``miss``: where). An image is built slot by slot only while it
        ties with the least so far. Reads the tables only: a worker thread may run it."""
        cdef int g, s, W = self.width
        cdef Py_ssize_t hits = 1
        cdef int32_t v = 0
        memcpy(best, ids, W * sizeof(int32_t))
        for g in range(self.ngroup):
            s = 0
            while s < W:
                v = self._image(ids, g, s, miss)
                if v == MISS:
                    return -1
                if v != best[s]:
                    break
                s += 1
            if s == W:
                hits += 1
            elif v < best[s]:
                best[s] = v
                for s in range(s + 1, W):
                    best[s] = self._image(ids, g, s, miss)
                    if best[s] == MISS:
                        return -1
                hits = 1
        return hits

    cdef Py_ssize_t _canon(self, int32_t* ids) except -1:
        """:meth:`_least` into ``best``, each miss answered by ``cb.rename`` (then the search
        starts again: the misses are met, and answered, in the order of one search)."""
        cdef Py_ssize_t hits, at
        cdef int32_t t, v
        while True:
            hits = self._least(ids, self.best, &at)
            if hits > 0:
                return hits
            t = self.gren[at]
            v = ids[self.gsrc[at]]
            self._set_child(t, v, self.cb.rename(t, v))

    cdef Py_ssize_t _find_canon(self, uint64_t* key, bint* fresh) except -2:
        """:meth:`_find_or_add` for successor ``key``: as stored if it is a stored
        representative, else its orbit's representative (counting the orbit's states when
        new). ``key`` is overwritten."""
        cdef Py_ssize_t h, size
        cdef Py_ssize_t j = -1 if self.fp else self._probe(key, &h)
        if j >= 0:
            fresh[0] = False
            return j
        self._unpack_key(key, self.nxt)
        size = (self.ngroup + 1) // self._canon(self.nxt)
        self._after_miss()
        self._pack(self.best, key)
        j = self._find_or_add(key, fresh)
        if fresh[0]:
            self.concrete += size
        return j

    # -- fingerprints -------------------------------------------------------------------------
    # TLC's way past memory: the visited set keeps a 64-bit fingerprint of each state instead of
    # its packed words; only the states not yet expanded (ids >= ``base``: the rest of the
    # current level and the next one) keep their words. Ids are 64-bit (parents too, past
    # 2**31 states: ``parent64``); the moves stay, so Python rebuilds any state by replaying them from the root. Two states with
    # one fingerprint count as one: the caller reports the chance of that. The fingerprint hashes
    # the slot value numbers, not the packed words, because a re-pack changes the words of a
    # state but never its numbers.

    def fingerprints(self, Py_ssize_t switch_at, int bits):
        """Store fingerprints of ``bits`` bits (64; fewer only in tests, to force collisions)
        once ``switch_at`` states are stored (0: from the start; -1: never)."""
        if not 1 <= bits <= 64:
            raise ValueError(f"fingerprint width must be 1-64 bits, got {bits}")
        self.fmask = <uint64_t>0xFFFFFFFFFFFFFFFF if bits == 64 else (((<uint64_t>1) << bits) - 1)
        self.switch_at = switch_at
        if switch_at == 0 and not self.fp:
            self._to_fingerprints(0)

    cdef inline uint64_t _fingerprint(self, uint64_t* k) noexcept nogil:
        """State ``k``'s fingerprint (never 0, the free cell's mark): its slot value numbers,
        two to a 64-bit block, chained through ``smix``."""
        cdef int s
        cdef uint64_t h = <uint64_t>0x243F6A8885A308D3 ^ <uint64_t>self.width, v
        cdef int32_t* ids = self.fids
        self._unpack_key(k, ids)
        s = 0
        while s < self.width:
            v = <uint64_t><uint32_t>ids[s]
            if s + 1 < self.width:
                v |= (<uint64_t><uint32_t>ids[s + 1]) << 32
            h = smix(h ^ v) + <uint64_t>0x9E3779B97F4A7C15
            s += 2
        h = smix(h) & self.fmask
        return h if h else 1

    cdef bint _fp_insert(self, uint64_t f) noexcept nogil:
        """Add fingerprint ``f`` to the set; False when it was there."""
        cdef Py_ssize_t m = self.fcap - 1
        cdef Py_ssize_t h = mix(f) & m
        while self.ftab[h]:
            if self.ftab[h] == f:
                return False
            h = (h + 1) & m
        self.ftab[h] = f
        self.fused += 1
        return True

    cdef int _fp_resize(self, Py_ssize_t cap) except -1:
        """A set of ``cap`` cells (a power of two) holding the same fingerprints."""
        cdef uint64_t* old = self.ftab
        cdef Py_ssize_t i, n = self.fcap
        self.ftab = <uint64_t*>malloc(cap * sizeof(uint64_t))
        if self.ftab == NULL:
            self.ftab = old
            raise MemoryError()
        memset(self.ftab, 0, cap * sizeof(uint64_t))
        self.fcap = cap
        self.fused = 0
        for i in range(n):
            if old[i]:
                self._fp_insert(old[i])
        free(old)
        return 0

    cdef Py_ssize_t _fp_add(self, uint64_t* k, bint* fresh) except -2:
        """:meth:`_find_or_add` in fingerprint mode: a new state keeps its words until expanded."""
        cdef Py_ssize_t kept = self.count - self.base
        if not self._fp_insert(self._fingerprint(k)):
            fresh[0] = False
            return -1
        if self.fused * 4 > self.fcap * 3:  # at most 3/4 full
            self._fp_resize(self.fcap * 2)
        if kept == self.wcap:
            grow_buf(<void**>&self.words, &self.wcap, kept + 1, self.nw * sizeof(uint64_t))
        memcpy(self.words + kept * self.nw, k, self.nw * sizeof(uint64_t))
        self.count += 1
        fresh[0] = True
        return self.count - 1

    cdef int _add_parent(self, Py_ssize_t i) except -1:
        """Record the parent of the state just added: 32 bits while ids fit, else 64."""
        if self.parent64.d != NULL:
            return lb_push(&self.parent64, i)
        if self.count <= 0x7FFFFFFF:
            return ib_push(&self.parent, <int32_t>i)
        self._widen_parents()
        return lb_push(&self.parent64, i)

    cdef int _widen_parents(self) except -1:
        """Past 2**31 states (fingerprint mode only): the parents become 64-bit."""
        cdef Py_ssize_t j
        grow_buf(<void**>&self.parent64.d, &self.parent64.cap, max(2 * self.parent.n, 16),
                 sizeof(int64_t))
        for j in range(self.parent.n):
            self.parent64.d[j] = self.parent.d[j]
        self.parent64.n = self.parent.n
        free(self.parent.d)
        self.parent.d = NULL
        self.parent.n = self.parent.cap = 0
        return 0

    cdef void _forget_before(self, Py_ssize_t i) noexcept:
        """Drop the packed words of the states before ``i`` (all expanded)."""
        cdef Py_ssize_t kept = self.count - i
        if i > self.base:
            memmove(self.words, self._at(i), kept * self.nw * sizeof(uint64_t))
            self.base = i

    cdef int _to_fingerprints(self, Py_ssize_t i) except -1:
        """Switch to fingerprint storage with states ``< i`` expanded: fingerprint every stored
        state, widen the parents, drop the exact table and the expanded states' words."""
        cdef Py_ssize_t j, cap = 1024
        if self.fids == NULL:
            self.fids = <int32_t*>malloc(max(self.width, 1) * sizeof(int32_t))
            if self.fids == NULL:
                raise MemoryError()
        while cap * 3 < self.count * 4 + 4:
            cap *= 2
        self.ftab = <uint64_t*>malloc(cap * sizeof(uint64_t))
        if self.ftab == NULL:
            raise MemoryError()
        memset(self.ftab, 0, cap * sizeof(uint64_t))
        self.fcap = cap
        for j in range(self.count):
            self._fp_insert(self._fingerprint(self.words + j * self.nw))
        free(self.table)
        self.table = NULL
        self.tcap = 0
        self.fp = True
        self._forget_before(i)
        self._trim()  # the words of the states still to expand, and room to double
        self.switched_at = self.count
        if self.count:  # announced at the moment it happens, never silently
            self.cb.switched(self.count)
        return 0

    def fingerprint_gap(self):
        """The least distance between two stored fingerprints (TLC's observed collision
        estimate is its reciprocal); 0 with fewer than two. Sorts the set in place, so only
        after the run."""
        cdef Py_ssize_t i, n = 0
        cdef uint64_t gap = 0, d
        if not self.fp:
            raise ValueError("not in fingerprint mode")
        if self.fused < 0:
            raise ValueError("the fingerprints were already sorted")
        for i in range(self.fcap):
            if self.ftab[i]:
                self.ftab[n] = self.ftab[i]
                n += 1
        self.fused = -1  # no longer a hash set
        qsort(self.ftab, n, sizeof(uint64_t), cmp_u64)
        for i in range(1, n):
            d = self.ftab[i] - self.ftab[i - 1]
            if gap == 0 or d < gap:
                gap = d
        return gap

    def least_image(self, list ids):
        """The value numbers of the state the core stores for the orbit of ``ids``."""
        cdef int s
        cdef int32_t* tmp = <int32_t*>malloc(max(self.width, 1) * sizeof(int32_t))
        if tmp == NULL:
            raise MemoryError()
        try:
            for s in range(self.width):
                tmp[s] = ids[s]
            self._canon(tmp)
            return self._ids(self.best)
        finally:
            free(tmp)

    # -- results ------------------------------------------------------------------------------
    def add_pred(self):
        """Register one more property predicate (after the run: liveness reads it on every
        state through :meth:`truths`); its number."""
        cdef void* q
        ib_push(&self.roots, MISS)
        ib_push(&self.pkind, 1)
        ib_push(&self.pactive, 0)
        ib_push(&self.pfallback, 0)
        lb_push(&self.phit, -1)
        q = realloc(self.preads.slot, (self.npred + 1) * self.width + 1)
        if q == NULL:
            raise MemoryError()
        self.preads.slot = <unsigned char*>q
        memset(self.preads.slot + self.npred * self.width, 0, self.width)
        self.npred += 1
        return self.npred - 1

    def truths(self, list ps):
        """Predicates ``ps`` on every stored state, in order, in one pass: a bytearray per
        predicate, 1 where it holds. A state whose packed words differ from its parent's in
        no slot a predicate's trie reads takes the parent's path, so it has the parent's
        truth (parents come first); the others are unpacked once and walked."""
        cdef Py_ssize_t i, k, par, m = len(ps)
        cdef int p, w, nw = self.nw, ver = -1
        cdef int32_t code
        cdef bint unpacked
        cdef bytearray out
        cdef int32_t* cur = self.cur
        cdef uint64_t* x
        cdef uint64_t* y
        cdef uint64_t* diff = <uint64_t*>malloc(max(nw, 1) * sizeof(uint64_t))
        cdef uint64_t* pm = <uint64_t*>malloc(max(m * nw, 1) * sizeof(uint64_t))
        cdef int32_t* pp = <int32_t*>malloc(max(m, 1) * sizeof(int32_t))
        cdef unsigned char** o = <unsigned char**>malloc(max(m, 1) * sizeof(unsigned char*))
        try:
            if self.fp:
                raise ValueError("fingerprint mode keeps no state to evaluate predicates on")
            outs = [bytearray(self.count) for _ in range(m)]
            if pp == NULL or o == NULL or diff == NULL or pm == NULL:
                raise MemoryError()
            for k in range(m):
                pp[k] = ps[k]
                out = outs[k]
                o[k] = out
            for i in range(self.count):
                if ver != self.preads.ver:  # a trie read a new slot: the masks of bits again
                    self._bits_read(pp, m, pm)
                    ver = self.preads.ver
                par = self.parent.d[i]
                if par >= 0:
                    x = self._at(i)
                    y = self._at(par)
                    for w in range(nw):
                        diff[w] = x[w] ^ y[w]
                unpacked = False
                for k in range(m):
                    p = pp[k]
                    if par >= 0 and not self.pfallback.d[p]:
                        w = 0
                        while w < nw and (diff[w] & pm[k * nw + w]) == 0:
                            w += 1
                        if w == nw:
                            o[k][i] = o[k][par]
                            continue
                    if not unpacked:
                        self._unpack(i, cur)
                        unpacked = True
                    if self.pfallback.d[p]:
                        o[k][i] = bool(self.cb.pred_eval(p, self._ids(cur)))
                        continue
                    code = self._walk(self.roots.d[self.nleaders + p], cur)
                    if code == MISS:
                        code = self.cb.pred_miss(p, self._ids(cur))
                    o[k][i] = code == -3
        finally:
            free(pp)
            free(o)
            free(diff)
            free(pm)
        return outs

    cdef int _bits_read(self, int32_t* pp, Py_ssize_t m, uint64_t* pm) except -1:
        """For each predicate ``pp[k]``, the bits of the packed words its trie reads."""
        cdef Py_ssize_t k
        cdef int s, nw = self.nw
        memset(pm, 0, m * nw * sizeof(uint64_t))
        for k in range(m):
            for s in range(self.width):
                if self.preads.slot[pp[k] * self.width + s]:
                    pm[k * nw + self.word[s]] |= self.mask[s] << self.shift[s]
        return 0

    def ids_of(self, Py_ssize_t i):
        """The slot value numbers of state ``i``."""
        if not self.base <= i < self.count:
            raise IndexError(i)
        self._unpack(i, self.nxt)
        return self._ids(self.nxt)

    def decode(self, Py_ssize_t i):
        """State ``i`` as the Python engine stores it (a tuple of slot values)."""
        cdef int s
        if not self.base <= i < self.count:
            raise IndexError(i)
        self._unpack(i, self.nxt)
        vals = self.values
        return tuple([vals[s][self.nxt[s]] for s in range(self.width)])

    def parents(self):
        """Each state's parent (-1 for the root): array "i", or "q" past 2**31 states."""
        if self.parent64.d == NULL:
            return ib_array(&self.parent)
        out = array("q")
        if self.parent64.n:
            out.frombytes((<char*>self.parent64.d)[: self.parent64.n * sizeof(int64_t)])
        return out

    def moves(self):
        return ib_array(&self.via)

    def edges(self):
        """The explored edges (source, destination, move) as arrays. The core hands its own
        buffers over the first time: the edges are the largest thing a run keeps (12 bytes
        each, several edges a state), so they are never held twice."""
        if self.kept_edges is None:
            self.kept_edges = (ib_hand_over(&self.esrc), ib_hand_over(&self.edst),
                               ib_hand_over(&self.emv))
        return self.kept_edges

    def hits(self):
        """Per property: the first state that hit it (-1: none), and whether it is still
        active (a trigger no longer active has been seen to hold)."""
        return ([self.phit.d[p] for p in range(self.npred)],
                [bool(self.pactive.d[p]) for p in range(self.npred)])

    def state_bytes(self):
        """Bytes held per stored state after the run: packed words, visited-set table, parent
        and move (during the run, up to twice the words, parents and moves: doubling)."""
        if self.count == 0:
            return 0.0
        if self.fp:  # fingerprints, parents, moves, the last level's packed words
            return (self.fcap * 8 + self.parent64.cap * 8 + self.parent.cap * 4
                    + self.via.cap * 4 + self.wcap * self.nw * 8) / self.count
        return (self.wcap * self.nw * 8 + self.tcap * 4 + (self.parent.cap + self.via.cap) * 4
                ) / self.count

    def table_sizes(self):
        """Sizes of the frozen tables (nodes, pool cells, leaves, entries)."""
        return {"nodes": self.node.n // 4, "pool": self.pool.n, "leaves": self.lstart.n,
                "entries": self.emove.n, "words_per_state": self.nw, "repacks": self.repacks}


include "_threads.pxi"
