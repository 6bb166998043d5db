/* taosha._speedups: the per-character quality signals in one C pass over a str.
 *
 * Why: cjk_ratio, lang_id and zh_heuristics read the same ~450 code points three times through
 * NumPy, and on such short documents NumPy's per-call overhead (dozens of small array operations,
 * nine sorts for the n-gram signals) costs far more than the arithmetic.  Here each function reads
 * the str's own PEP 393 buffer (1, 2 or 4 bytes per code point; no encoding copy).
 *
 * Contract: the functions return raw counts (and the entropy as one float), so that the Python
 * side in taosha.filters.signals / langid / heuristics applies exactly the same arithmetic and
 * dyadic() rounding as the NumPy reference implementation it falls back to.  The class of a code
 * point is looked up in the uint8 table of taosha.filters.charclass.class_table(), passed in as a
 * buffer; code points beyond the table are looked up as its last entry (as the NumPy code does
 * with np.minimum(cps, TABLE_SIZE)).
 *
 *   scan(text, table) -> (class_counts, function_count, latin_runs, visible)
 *       what cjk_ratio, lang_id and the character shares of zh_heuristics need;
 *   ngram_counts(text, table) -> (visible, entropy, top2, top3, top4, dup5, ..., dup10)
 *       the character entropy and the n-gram signals, which zh_heuristics measures together
 *       (both only for texts of repetition_min_chars or more) and which share the per-code-point
 *       counting.
 *
 * Lone surrogates (which a Python str can hold) are read as their code point like any other.
 * ngram_counts refuses texts of 2^32 - 2 or more characters with OverflowError (its counts,
 * positions and ids are 32-bit; scan counts in Py_ssize_t and takes any length), and raises
 * MemoryError when its working memory (about 20 bytes a character plus the hash map) cannot be had.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Table layout, mirrored from taosha/filters/charclass.py (checked there at import). */
#define CLASS_MASK 15
#define N_CLASSES 16
#define FUNCTION_BIT 16
#define CLASS_LATIN 5
#define CLASS_SPACE 10

#define MIN_TOP 2
#define MAX_TOP 4
#define MAX_DUP 10

/* ---- reading the str ------------------------------------------------------------------------ */

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
    const uint8_t *table;
    Py_ssize_t last; /* index of the table's last entry: where code points beyond it go */
} Source;

static inline uint32_t read_cp(const Source *s, Py_ssize_t i)
{
    return (uint32_t)PyUnicode_READ(s->kind, s->data, i);
}

static inline uint8_t entry_of(const Source *s, uint32_t cp)
{
    return s->table[(Py_ssize_t)cp < s->last ? (Py_ssize_t)cp : s->last];
}

/* Parses (str, buffer) into a Source; the caller releases *view. */
static int open_source(PyObject *text, PyObject *table, Source *s, Py_buffer *view)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return -1;
#endif
    if (PyObject_GetBuffer(table, view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view->len < 1 || view->itemsize != 1) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "the class table must be a non-empty buffer of bytes (uint8)");
        return -1;
    }
    s->kind = PyUnicode_KIND(text);
    s->data = PyUnicode_DATA(text);
    s->length = PyUnicode_GET_LENGTH(text);
    s->table = (const uint8_t *)view->buf;
    s->last = view->len - 1;
    return 0;
}

/* Copies the visible (non-SPACE) code points of s into out (room for s->length); returns how many.
 * Branch-free append: the store always happens, the count only moves for a visible character. */
static Py_ssize_t visible_codepoints(const Source *s, uint32_t *out)
{
    Py_ssize_t n = 0;
#define COLLECT(TYPE)                                                                  \
    do {                                                                               \
        const TYPE *p = (const TYPE *)s->data;                                         \
        for (Py_ssize_t i = 0; i < s->length; i++) {                                   \
            uint32_t cp = p[i];                                                        \
            out[n] = cp;                                                               \
            n += (entry_of(s, cp) & CLASS_MASK) != CLASS_SPACE;                        \
        }                                                                              \
    } while (0)
    switch (s->kind) {
    case PyUnicode_1BYTE_KIND: COLLECT(Py_UCS1); break;
    case PyUnicode_2BYTE_KIND: COLLECT(Py_UCS2); break;
    default: COLLECT(Py_UCS4); break;
    }
#undef COLLECT
    return n;
}

/* Occurrences per code point, all zero between calls: a call counts into it and sets back to zero
 * every entry it touched before returning.  Direct addressing instead of a hash map halved the
 * cost of the first n-gram order and of the entropy.  4.4 MB of zero pages, of which only the pages
 * of code points actually seen get mapped (the Han block: about 80 KB).  Safe without a lock: the
 * GIL is held for the whole call and nothing here calls back into Python (the module declares
 * neither free-threading support, so a free-threaded build keeps the GIL on for it, nor support
 * for sub-interpreters with their own GIL). */
#define N_CODEPOINTS 0x110000
static uint32_t cp_count[N_CODEPOINTS];

/* PEP 393 never stores a code point above 0x10FFFF; this keeps a corrupt str from writing
 * outside cp_count. */
static inline uint32_t clamp_cp(uint32_t cp)
{
    return cp < N_CODEPOINTS ? cp : N_CODEPOINTS - 1;
}

/* ---- an exact hash map from 64-bit keys to dense ids ------------------------------------------ */

/* Open addressing, linear probing, load factor <= 1/4 (see table_size).  Keys are compared exactly,
 * so a hash collision only costs a probe, never a wrong count.  A key is (id of an (n-1)-gram << 32
 * | its last code point), which identifies an n-gram's content exactly. */
typedef struct {
    uint64_t *keys;
    uint32_t *ids; /* EMPTY marks a free slot */
    size_t mask;
    int shift;
    size_t capacity;
    uint32_t next_id;
} IdMap;

#define EMPTY UINT32_MAX

/* Slots for n keys: load factor <= 1/4 (fewer probes, measured ~10% faster than 1/2), except
 * beyond 2^20 slots, where memory matters more (a 10-million-character text: 400 MB, not 800). */
static size_t table_size(size_t n)
{
    size_t size = 16;
    while (size < 4 * n && size < ((size_t)1 << 20))
        size <<= 1;
    while (size < 2 * n)
        size <<= 1;
    return size;
}

static int idmap_init(IdMap *m, size_t n)
{
    /* table_size(n) <= 4n slots of 12 bytes: refuse before that product (or the doubling in
     * table_size) can wrap around, which only a 32-bit size_t allows. */
    if (n > SIZE_MAX / (4 * (sizeof(uint64_t) + sizeof(uint32_t)))) {
        m->keys = NULL;
        m->ids = NULL;
        PyErr_NoMemory();
        return -1;
    }
    m->capacity = table_size(n);
    m->keys = PyMem_Malloc(m->capacity * sizeof(uint64_t));
    m->ids = PyMem_Malloc(m->capacity * sizeof(uint32_t));
    if (!m->keys || !m->ids) {
        PyMem_Free(m->keys);
        PyMem_Free(m->ids);
        m->keys = NULL;
        m->ids = NULL;
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void idmap_free(IdMap *m)
{
    PyMem_Free(m->keys);
    PyMem_Free(m->ids);
}

/* Empties the map for at most n keys. */
static void idmap_clear(IdMap *m, size_t n)
{
    size_t size = table_size(n);
    if (size > m->capacity)
        size = m->capacity;
    int bits = 0;
    while (((size_t)1 << bits) < size)
        bits++;
    m->mask = size - 1;
    m->shift = 64 - bits;
    m->next_id = 0;
    memset(m->ids, 0xFF, size * sizeof(uint32_t));
}

/* The id of key, a new one (next_id) if it is not in the map yet.  Written without a branch on
 * found/new (about half of the n-grams of a text are new), which mispredicted often. */
static inline uint32_t idmap_get(IdMap *m, uint64_t key)
{
    /* Fibonacci hashing: the top bits of key * 2^64/phi. */
    size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ull) >> m->shift);
    uint32_t id;
    while ((id = m->ids[slot]) != EMPTY && m->keys[slot] != key)
        slot = (slot + 1) & m->mask;
    uint32_t is_new = id == EMPTY;
    id = is_new ? m->next_id : id;
    m->keys[slot] = key;
    m->ids[slot] = id;
    m->next_id += is_new;
    return id;
}

/* ---- scan ------------------------------------------------------------------------------------ */

PyDoc_STRVAR(scan_doc,
"scan(text, table) -> (class_counts, function_count, latin_runs, visible)\n\n"
"One pass over ``text``: ``class_counts`` is a 16-tuple of how many characters fall in each class\n"
"(table entry & 15), ``function_count`` how many carry the function flag (entry & 16),\n"
"``latin_runs`` how many maximal runs of LATIN characters there are and ``visible`` how many\n"
"characters are not SPACE.");

static PyObject *scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "scan(text, table) takes 2 arguments");
        return NULL;
    }
    Source s;
    Py_buffer view;
    if (open_source(args[0], args[1], &s, &view) < 0)
        return NULL;

    Py_ssize_t counts[2 * N_CLASSES] = {0};
    Py_ssize_t latin_runs = 0;
    int was_latin = 0;
    /* One loop per storage kind, so the compiler sees a fixed element width. */
#define SCAN_LOOP(TYPE)                                                                \
    do {                                                                               \
        const TYPE *p = (const TYPE *)s.data;                                          \
        for (Py_ssize_t i = 0; i < s.length; i++) {                                    \
            uint8_t e = entry_of(&s, (uint32_t)p[i]);                                  \
            counts[e & (2 * N_CLASSES - 1)]++;                                         \
            int is_latin = (e & CLASS_MASK) == CLASS_LATIN;                            \
            latin_runs += is_latin & !was_latin;                                       \
            was_latin = is_latin;                                                      \
        }                                                                              \
    } while (0)
    switch (s.kind) {
    case PyUnicode_1BYTE_KIND: SCAN_LOOP(Py_UCS1); break;
    case PyUnicode_2BYTE_KIND: SCAN_LOOP(Py_UCS2); break;
    default: SCAN_LOOP(Py_UCS4); break;
    }
#undef SCAN_LOOP
    PyBuffer_Release(&view);

    Py_ssize_t function_count = 0;
    for (int c = N_CLASSES; c < 2 * N_CLASSES; c++)
        function_count += counts[c];
    Py_ssize_t visible = s.length - counts[CLASS_SPACE] - counts[CLASS_SPACE | FUNCTION_BIT];

    PyObject *classes = PyTuple_New(N_CLASSES);
    if (!classes)
        return NULL;
    for (int c = 0; c < N_CLASSES; c++) {
        PyObject *n = PyLong_FromSsize_t(counts[c] + counts[c | FUNCTION_BIT]);
        if (!n) {
            Py_DECREF(classes);
            return NULL;
        }
        PyTuple_SET_ITEM(classes, c, n);
    }
    return Py_BuildValue("(Nnnn)", classes, function_count, latin_runs, visible);
}

/* ---- entropy and n-gram coverage ------------------------------------------------------------------------- */

/* Shannon entropy (bits) of n code points whose occurrences are in cp_count, listed once each in
 * distinct; sets those cp_count entries back to zero.  scratch has room for n + 1 entries.  Terms
 * are grouped by frequency (a frequency shared by m code points contributes m * p * log2(p) once),
 * so there are a few dozen log2 calls instead of one per distinct character.  That is not the NumPy
 * reference's summation order, so the last bits may differ; the Python side measures again with
 * the reference whenever the value lies so close to a rounding boundary of dyadic() that this could
 * matter (see signals.py). */
static double entropy_of(const uint32_t *distinct, Py_ssize_t n_distinct, Py_ssize_t n, uint32_t *scratch)
{
    uint32_t *freq_count = scratch; /* [f] = how many distinct code points occur f times */
    memset(freq_count, 0, ((size_t)n + 1) * sizeof(uint32_t));
    uint32_t most = 0;
    for (Py_ssize_t j = 0; j < n_distinct; j++) {
        uint32_t f = cp_count[distinct[j]];
        cp_count[distinct[j]] = 0;
        freq_count[f]++;
        most = f > most ? f : most;
    }
    double total = 0.0;
    for (uint32_t f = 1; f <= most; f++) {
        if (freq_count[f]) {
            double p = (double)f / (double)n;
            total += (double)freq_count[f] * (p * log2(p));
        }
    }
    return -total;
}

PyDoc_STRVAR(ngram_counts_doc,
"ngram_counts(text, table) -> (visible, entropy, top2, top3, top4, dup5, ..., dup10)\n\n"
"Over the visible (non-SPACE) code points of ``text``, in order: ``entropy`` is the Shannon\n"
"entropy of their distribution in bits (0.0 for none), ``top<n>`` how often the most frequent\n"
"character n-gram occurs, ``dup<n>`` how many positions are covered by n-grams that occur more\n"
"than once.  An order n is measured only when there are at least n + 1 visible characters\n"
"(0 otherwise), and once an order from 5 on has no repeated n-gram the longer ones are 0: the\n"
"definition of taosha.filters.signals._ngram_signals, with exact n-gram comparison.");

static PyObject *ngram_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ngram_counts(text, table) takes 2 arguments");
        return NULL;
    }
    Source s;
    Py_buffer view;
    if (open_source(args[0], args[1], &s, &view) < 0)
        return NULL;
    /* Compared as size_t: on a 32-bit build (Py_ssize_t of 32 bits) the former
     * `length >= (Py_ssize_t)UINT32_MAX - 1` compared against -2 and so refused every text.  (It
     * also sat in open_source, so scan refused texts it counts correctly.) */
    if ((size_t)s.length >= (size_t)UINT32_MAX - 1) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_OverflowError, "text too long for taosha._speedups.ngram_counts (2^32 characters)");
        return NULL;
    }

    Py_ssize_t result[MAX_DUP + 1] = {0}; /* result[n] for n = 2..10 */
    Py_ssize_t length = 0;
    double entropy = 0.0;
    /* vis: the visible code points.  starts/ids: the candidate starts of the current order,
     * ascending, and the id of the (n-1)-gram at each (its code point for n = 2); cur: the id of
     * the n-gram at each; count: occurrences per n-gram id. */
    uint32_t *work = NULL;
    IdMap map = {0};
    int failed = 0;
    if (s.length == 0)
        goto done;
    size_t n_alloc = (size_t)s.length;
    /* 5n + 1 words: with a 32-bit size_t that product wraps for n > ~214 million, and a short
     * buffer would then be overrun; refuse instead (PyMem_Malloc checks only the final size). */
    if (n_alloc > (SIZE_MAX / sizeof(uint32_t) - 1) / 5) {
        PyErr_NoMemory();
        failed = 1;
        goto done;
    }
    work = PyMem_Malloc((5 * n_alloc + 1) * sizeof(uint32_t));
    if (!work || idmap_init(&map, n_alloc) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        failed = 1;
        goto done;
    }
    uint32_t *vis = work, *starts = work + n_alloc, *ids = work + 2 * n_alloc;
    uint32_t *cur = work + 3 * n_alloc, *count = work + 4 * n_alloc;
    length = visible_codepoints(&s, vis);
    if (length == 0)
        goto done;

    /* Order 1: occurrences per code point, counted by direct addressing; distinct lists each
     * code point once, for the entropy and for setting cp_count back to zero. */
    uint32_t *distinct = cur; /* cur and count are free until order 2 */
    Py_ssize_t n_distinct = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        uint32_t cp = clamp_cp(vis[i]);
        distinct[n_distinct] = cp;
        n_distinct += cp_count[cp]++ == 0;
    }
    /* Only a start whose (n-1)-gram repeats can start a repeated n-gram, so each order looks up
     * just the previous order's repeated starts (the pruning of the NumPy reference: about 1,200
     * lookups for all orders of a 450-character text instead of 4,000).  A start must also leave
     * room for the n-gram: i + n <= length. */
    Py_ssize_t n_cand = 0;
    for (Py_ssize_t i = 0; i + MIN_TOP <= length; i++) {
        starts[n_cand] = (uint32_t)i;
        ids[n_cand] = vis[i];
        n_cand += cp_count[clamp_cp(vis[i])] >= 2;
    }
    entropy = entropy_of(distinct, n_distinct, length, count);

    for (int n = MIN_TOP; n <= MAX_DUP && length >= n + 1; n++) {
        idmap_clear(&map, (size_t)n_cand);
        memset(count, 0, (size_t)n_cand * sizeof(uint32_t));
        /* There is at least one n-gram (length >= n + 1), so the most frequent occurs >= once. */
        uint32_t longest = 1;
        for (Py_ssize_t k = 0; k < n_cand; k++) {
            uint32_t id = idmap_get(&map, ((uint64_t)ids[k] << 32) | vis[starts[k] + n - 1]);
            cur[k] = id;
            uint32_t c = ++count[id];
            longest = c > longest ? c : longest;
        }
        if (n <= MAX_TOP) {
            result[n] = longest;
        } else {
            /* Union of the spans [i, i + n) of repeated n-grams; starts are in order. */
            Py_ssize_t covered = 0, end = 0;
            for (Py_ssize_t k = 0; k < n_cand; k++) {
                Py_ssize_t i = starts[k];
                int repeated = count[cur[k]] >= 2;
                Py_ssize_t from = i > end ? i : end;
                covered += repeated ? i + n - from : 0;
                end = repeated ? i + n : end;
            }
            result[n] = covered;
            if (covered == 0)
                break; /* no repeated n-gram: no repeated longer one; the rest stay 0 */
        }
        Py_ssize_t kept = 0;
        for (Py_ssize_t k = 0; k < n_cand; k++) {
            uint32_t i = starts[k];
            starts[kept] = i;
            ids[kept] = cur[k];
            kept += (count[cur[k]] >= 2) & ((Py_ssize_t)i + n + 1 <= length);
        }
        n_cand = kept;
    }

done:
    PyBuffer_Release(&view);
    PyMem_Free(work);
    idmap_free(&map);
    if (failed)
        return NULL;
    return Py_BuildValue("(ndnnnnnnnnn)", length, entropy, result[2], result[3], result[4], result[5], result[6],
                         result[7], result[8], result[9], result[10]);
}

/* ---- module ---------------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL, scan_doc},
    {"ngram_counts", (PyCFunction)(void (*)(void))ngram_counts, METH_FASTCALL, ngram_counts_doc},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *module)
{
    /* Bumped whenever a function's arguments or results change (charclass._KERNEL_API). */
    if (PyModule_AddIntConstant(module, "API_VERSION", 2) < 0 ||
        PyModule_AddIntConstant(module, "CLASS_MASK", CLASS_MASK) < 0 ||
        PyModule_AddIntConstant(module, "FUNCTION", FUNCTION_BIT) < 0 ||
        PyModule_AddIntConstant(module, "LATIN", CLASS_LATIN) < 0 ||
        PyModule_AddIntConstant(module, "SPACE", CLASS_SPACE) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
#ifdef Py_mod_multiple_interpreters
    /* cp_count is process-wide: sub-interpreters with their own GIL could race on it. */
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "taosha._speedups",
    .m_doc = "C kernels for taosha's per-character quality signals (see taosha.filters.charclass).",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = slots,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    return PyModuleDef_Init(&module_def);
}
