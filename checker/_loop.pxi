# The breadth-first loop: expansion, arrival, judging, leaves handed down, limits (part of the compiled core, included by _core.pyx).


# -- the loop -----------------------------------------------------------------------------
cdef list _ids(Core self, int32_t* ids):
    return [ids[s] for s in range(self.width)]


cdef int _after_miss(Core self) except -1:
    if self.need_repack:
        _repack(self)
    return 0


cdef int _judge(Core self, Py_ssize_t sid, int32_t* ids, signed char* pre=NULL,
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
                _judge_one(self, sid, ids, pre, p)
        return 0
    m = _touched(self, &self.preads, e)
    for wi in range(self.preads.nw):  # (add_pred's predicates are never active in a run)
        bits = m[wi]
        while bits:
            p = wi * 64 + ctz64(bits)
            bits &= bits - 1
            if self.pactive.d[p]:
                _judge_one(self, sid, ids, pre, p)
    return 0


cdef int _judge_one(Core self, Py_ssize_t sid, int32_t* ids, signed char* pre, int p) except -1:
    """Predicate ``p`` (active) on state ``sid``: deactivated at its first hit."""
    cdef int kind
    cdef int32_t code
    cdef bint r
    if pre != NULL and pre[p] < 2:
        r = pre[p]
    elif self.pfallback.d[p]:
        r = bool(self.cb.pred_eval(p, _ids(self, ids)))
    else:
        code = _walk(self, self.roots.d[self.nleaders + p], ids)
        if code == MISS:
            _hold(self)
            code = self.cb.pred_miss(p, _ids(self, ids))
            _after_miss(self)
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


cdef int _leaves_begin(Core self) except -1:
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


cdef void _leaves_end(Core self) noexcept:
    self.lv = False
    free(self.leaves.d)
    self.leaves.d = self.lrows = NULL
    self.leaves.n = self.leaves.cap = 0


cdef int _serial(Core self, Py_ssize_t i, Py_ssize_t level_end, Py_ssize_t max_states,
                 bint want_deadlock, bint keep_edges, progress, guard,
                 double start) except -1:
    """The loop of :meth:`run` from state ``i`` (``level_end``: where its level ends)."""
    while i < self.count:
        if i == level_end:
            level_end = _next_level(self, i)
        if self.fp:
            _expand(self, i, want_deadlock, keep_edges)
        else:
            _expand_staged(self, i, want_deadlock, keep_edges)
        i += 1
        if _switch_due(self):
            _to_fingerprints(self, i)
        if _stop(self, i, max_states, progress, guard, start):
            break
    return 0


cdef Py_ssize_t _next_level(Core self, Py_ssize_t i) except -1:
    """State ``i`` starts the next level: count it, and drop what the expanded states no
    longer need (their words under fingerprints, their leaves); where the new level ends."""
    self.depth += 1
    if self.fp:
        _forget_before(self, i)
    if self.lv:
        _leaves_from(self, i)
    return self.count


cdef inline bint _switch_due(Core self) noexcept:
    """Exact storage has reached the state count at which fingerprints take over."""
    return 0 <= self.switch_at <= self.count and not self.fp


cdef int _expand(Core self, Py_ssize_t i, bint want_deadlock, bint keep_edges) except -1:
    """Expand state ``i``: its successors stored, its edges, its dead end (the misses
    answered as they are met)."""
    cdef Py_ssize_t e, j
    cdef int li, w, c, c2
    cdef int32_t code, L, t, sl, old, new
    cdef bint any_succ = False, ovf, fresh
    cdef int32_t* cur = self.cur
    cdef uint64_t* key = self.key
    _hold(self)  # Python answers the misses met here
    _unpack(self, i, cur)
    for li in range(self.nleaders):
        code = _walk(self, self.roots.d[li], cur)
        if code == MISS:
            code = self.cb.succ_miss(li, _ids(self, cur))
            _after_miss(self)
        L = -2 - code
        for e in range(self.lstart.d[L], self.lend.d[L]):
            # the successor is state i's packed words with a few fields replaced
            memcpy(key, _at(self, i), self.nw * sizeof(uint64_t))
            for w in range(self.wstart.d[e], self.wend.d[e]):
                _put(self, key, self.wslot.d[w], self.wval.d[w])
            ovf = False
            for c in range(self.cstart.d[e], self.cend.d[e]):
                t = self.ctab.d[c]
                sl = self.cslot.d[c]
                old = cur[sl]
                new = _child(self, t, old)
                if new == MISS:
                    new = self.cb.fill(t, old)
                    _set_child(self, t, old, new)
                    if self.need_repack:
                        _repack(self)
                        memcpy(key, _at(self, i), self.nw * sizeof(uint64_t))
                        for w in range(self.wstart.d[e], self.wend.d[e]):
                            _put(self, key, self.wslot.d[w], self.wval.d[w])
                        for c2 in range(self.cstart.d[e], c):
                            _put(self, key, self.cslot.d[c2],
                                      _child(self, self.ctab.d[c2], cur[self.cslot.d[c2]]))
                if new == -2:
                    ovf = True
                    break
                _put(self, key, sl, new)
            if ovf:
                _overflow(self, i, e)
                continue
            any_succ = True
            self.transitions += 1
            if self.sym:
                j = _find_canon(self, key, &fresh)
            else:
                j = _find_or_add(self, key, &fresh)
            _arrive(self, i, j, <int32_t>e, fresh, keep_edges, NULL)
    _dead_end(self, i, any_succ, want_deadlock)
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


cdef int _inherit(Core self, Py_ssize_t i, Py_ssize_t j, int32_t e) except -1:
    """New state ``j`` (its numbers in ``nxt``), found from ``i`` by entry ``e``: its
    leaves, the parent's where the move cannot change them."""
    cdef int li, L = self.nleaders
    cdef uint64_t m = _touched(self, &self.lreads, e)[0]  # (at most 64 leaders here)
    cdef int32_t* src
    cdef int32_t* dst
    if self.leaves.n + L > self.leaves.cap:
        _hold(self)
        ib_reserve(&self.leaves, self.leaves.n + L)
        self.lrows = self.leaves.d
    src = self.leaves.d + (i - self.lbase) * L
    dst = self.leaves.d + (j - self.lbase) * L
    for li in range(L):
        if (m >> li) & 1:
            dst[li] = _walk(self, self.roots.d[li], self.nxt)
        else:
            dst[li] = src[li]
    self.leaves.n += L
    return 0


cdef int _leaves_from(Core self, Py_ssize_t i) except -1:
    """States before ``i`` are expanded: drop their leaves."""
    cdef Py_ssize_t drop = (i - self.lbase) * self.nleaders
    _hold(self)
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


cdef int _overflow(Core self, Py_ssize_t i, Py_ssize_t e) except -1:
    """Entry ``e`` overflows a channel from state ``i`` (the first such step is reported)."""
    if not self.overflowed:
        _hold(self)
        self.overflowed = True
        self.cb.overflow(i, e)
    return 0


cdef int _arrive(Core self, Py_ssize_t i, Py_ssize_t j, int32_t e, bint fresh, bint keep_edges,
                 signed char* pre) except -1:
    """Entry ``e`` leads from state ``i`` to state ``j`` (new if ``fresh``: its parent and
    move, its judgement; ``pre``: its predicates' truths as known, or NULL)."""
    if fresh:
        _add_parent(self, i)
        ib_push(&self.via, self.emove.d[e])
        if self.gating:
            _hold(self)
            self.cb.gate(j)
        if self.npred > 0 or self.lv:
            _unpack(self, j, self.nxt)
        if self.lv:
            _inherit(self, i, j, e)
        if self.npred > 0:
            _judge(self, j, self.nxt, pre, -1 if self.sym else e)
    if keep_edges:
        ib_push(&self.esrc, <int32_t>i)
        ib_push(&self.edst, <int32_t>j)
        ib_push(&self.emv, self.emove.d[e])
    return 0


cdef int _dead_end(Core self, Py_ssize_t i, bint any_succ, bint want_deadlock) except -1:
    if not any_succ and want_deadlock and self.deadlock < 0:
        if not self.cb.is_final(i):
            self.deadlock = i
    return 0


cdef bint _stop(Core self, Py_ssize_t i, Py_ssize_t max_states, progress, guard,
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


cdef void _trim(Core self) noexcept:
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


cdef object _start(Core self, list initial):
    """:meth:`Core.start`."""
    cdef int s
    cdef bint fresh
    for s in range(self.width):
        self.cur[s] = initial[s]
    if self.sym:  # the initial state's orbit stands for it
        self.concrete = (self.ngroup + 1) // _canon(self, self.cur)
        memcpy(self.cur, self.best, self.width * sizeof(int32_t))
    _after_miss(self)
    _pack(self, self.cur, self.key)
    _find_or_add(self, self.key, &fresh)
    _add_parent(self, -1)
    ib_push(&self.via, -1)
    _judge(self, 0, self.cur)
    if self.gating:
        self.cb.gate(0)
