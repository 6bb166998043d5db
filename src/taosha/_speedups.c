/* taosha._speedups: the per-character quality signals in one C pass over a str.
 *
 * Why: cjk_ratio, lang_id and zh_heuristics read the same ~450 code points three times through
 * NumPy, and on such short documents NumPy's per-call overhead (dozens of small array operations,
 * nine sorts for the n-gram signals) costs far more than the arithmetic.  Here each function reads
 * the str's own PEP 393 buffer (1, 2 or 4 bytes per code point; no encoding copy) once.
 *
 * Contract: the functions return raw counts (and, for the entropy, one float), so that the Python
 * side in taosha.filters.signals / langid / heuristics applies exactly the same arithmetic and
 * dyadic() rounding as the NumPy reference implementation it falls back to.  The class of a code
 * point is looked up in the uint8 table of taosha.filters.charclass.class_table(), passed in as a
 * buffer; code points beyond the table are looked up as its last entry (as the NumPy code does
 * with np.minimum(cps, TABLE_SIZE)).
 *
 *   scan(text, table, entropy_from) -> (class_counts, function_count, latin_runs, visible, entropy)
 *   ngram_counts(text, table) -> (visible, top2, top3, top4, dup5, ..., dup10)
 *
 * Lone surrogates (which a Python str can hold) are read as their code point like any other.
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
    if (view->len < 1) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "the class table is empty");
        return -1;
    }
    s->kind = PyUnicode_KIND(text);
    s->data = PyUnicode_DATA(text);
    s->length = PyUnicode_GET_LENGTH(text);
    s->table = (const uint8_t *)view->buf;
    s->last = view->len - 1;
    return 0;
}

/* ---- an exact hash map from 64-bit keys to dense ids ------------------------------------------ */

/* Open addressing, linear probing.  Keys are compared exactly, so a hash collision only costs a
 * probe, never a wrong count.  A key is either a code point or (id of an (n-1)-gram << 32 | id of
 * its last character), which identifies an n-gram's content exactly. */
typedef struct {
    uint64_t *keys;
    uint32_t *ids; /* EMPTY marks a free slot */
    size_t mask;
    size_t capacity;
    uint32_t next_id;
} IdMap;

#define EMPTY UINT32_MAX

static int idmap_init(IdMap *m, size_t capacity)
{
    m->keys = PyMem_Malloc(capacity * sizeof(uint64_t));
    m->ids = PyMem_Malloc(capacity * sizeof(uint32_t));
    m->capacity = capacity;
    if (!m->keys || !m->ids) {
        PyMem_Free(m->keys);
        PyMem_Free(m->ids);
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

/* Empties the map for at most n keys (load factor <= 1/2). */
static void idmap_clear(IdMap *m, size_t n)
{
    size_t size = 16;
    while (size < 2 * n && size < m->capacity)
        size <<= 1;
    m->mask = size - 1;
    m->next_id = 0;
    memset(m->ids, 0xFF, size * sizeof(uint32_t));
}

static inline uint32_t idmap_get(IdMap *m, uint64_t key)
{
    /* Fibonacci hashing: the high bits of key * 2^64/phi are well mixed. */
    size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & m->mask;
    for (;;) {
        uint32_t id = m->ids[slot];
        if (id == EMPTY) {
            m->keys[slot] = key;
            m->ids[slot] = m->next_id;
            return m->next_id++;
        }
        if (m->keys[slot] == key)
            return id;
        slot = (slot + 1) & m->mask;
    }
}

static size_t capacity_for(Py_ssize_t n)
{
    size_t size = 16;
    while (size < 2 * (size_t)n)
        size <<= 1;
    return size;
}

/* ---- scan ------------------------------------------------------------------------------------ */

/* Shannon entropy (bits) of the visible code points.  Terms are grouped by frequency (a frequency
 * shared by m code points contributes m * p * log2(p) once), so there are a few dozen log2 calls
 * instead of one per distinct character.  This is not the NumPy reference's summation order, so the
 * last bits may differ; the Python side re-measures with the reference whenever the value lies so
 * close to a rounding boundary of dyadic() that this could matter (see signals.py). */
static int visible_entropy(const Source *s, Py_ssize_t visible, double *out)
{
    *out = 0.0;
    if (visible == 0)
        return 0;
    IdMap map;
    if (idmap_init(&map, capacity_for(visible)) < 0)
        return -1;
    idmap_clear(&map, (size_t)visible);
    uint32_t *freq = PyMem_Calloc((size_t)visible, sizeof(uint32_t));
    /* freq_count[f] = how many distinct code points occur f times. */
    uint32_t *freq_count = PyMem_Calloc((size_t)visible + 1, sizeof(uint32_t));
    if (!freq || !freq_count) {
        PyMem_Free(freq);
        PyMem_Free(freq_count);
        idmap_free(&map);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < s->length; i++) {
        uint32_t cp = read_cp(s, i);
        if ((entry_of(s, cp) & CLASS_MASK) != CLASS_SPACE)
            freq[idmap_get(&map, cp)]++;
    }
    for (uint32_t id = 0; id < map.next_id; id++)
        freq_count[freq[id]]++;
    double total = 0.0;
    for (Py_ssize_t f = 1; f <= visible; f++) {
        if (freq_count[f]) {
            double p = (double)f / (double)visible;
            total += (double)freq_count[f] * (p * log2(p));
        }
    }
    *out = -total;
    PyMem_Free(freq);
    PyMem_Free(freq_count);
    idmap_free(&map);
    return 0;
}

PyDoc_STRVAR(scan_doc,
"scan(text, table, entropy_from) -> (class_counts, function_count, latin_runs, visible, entropy)\n\n"
"One pass over ``text``: ``class_counts`` is a 16-tuple of how many characters fall in each class\n"
"(table entry & 15), ``function_count`` how many carry the function flag (entry & 16),\n"
"``latin_runs`` how many maximal runs of LATIN characters there are, ``visible`` how many\n"
"characters are not SPACE, and ``entropy`` the Shannon entropy in bits of the visible code points,\n"
"measured only when ``entropy_from`` is an int and ``visible >= entropy_from`` (None otherwise).");

static PyObject *scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "scan(text, table, entropy_from) takes 3 arguments");
        return NULL;
    }
    Py_ssize_t entropy_from = PY_SSIZE_T_MAX; /* None: never */
    if (args[2] != Py_None) {
        entropy_from = PyLong_AsSsize_t(args[2]);
        if (entropy_from == -1 && PyErr_Occurred())
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

    Py_ssize_t function_count = 0;
    for (int c = N_CLASSES; c < 2 * N_CLASSES; c++)
        function_count += counts[c];
    Py_ssize_t visible = s.length - counts[CLASS_SPACE] - counts[CLASS_SPACE | FUNCTION_BIT];

    PyObject *entropy = NULL;
    if (visible >= entropy_from) {
        double value;
        if (visible_entropy(&s, visible, &value) < 0) {
            PyBuffer_Release(&view);
            return NULL;
        }
        entropy = PyFloat_FromDouble(value);
    } else {
        entropy = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&view);
    if (!entropy)
        return NULL;

    PyObject *classes = PyTuple_New(N_CLASSES);
    if (!classes) {
        Py_DECREF(entropy);
        return NULL;
    }
    for (int c = 0; c < N_CLASSES; c++) {
        PyObject *n = PyLong_FromSsize_t(counts[c] + counts[c | FUNCTION_BIT]);
        if (!n) {
            Py_DECREF(classes);
            Py_DECREF(entropy);
            return NULL;
        }
        PyTuple_SET_ITEM(classes, c, n);
    }
    return Py_BuildValue("(NnnnN)", classes, function_count, latin_runs, visible, entropy);
}

/* ---- n-gram coverage ------------------------------------------------------------------------- */

PyDoc_STRVAR(ngram_counts_doc,
"ngram_counts(text, table) -> (visible, top2, top3, top4, dup5, dup6, dup7, dup8, dup9, dup10)\n\n"
"Over the visible (non-SPACE) code points of ``text``, in order: ``top<n>`` is how often the most\n"
"frequent character n-gram occurs, ``dup<n>`` how many positions are covered by n-grams that occur\n"
"more than once.  An order n is measured only when there are at least n + 1 visible characters\n"
"(0 otherwise), and once an order from 5 on has no repeated n-gram the longer ones are 0: the\n"
"definition of taosha.filters.signals._ngram_signals, with exact n-gram comparison.");

static PyObject *ngram_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ngram_counts(text, table) takes 2 arguments");
        return NULL;
    }
    Source s;
    Py_buffer view;
    if (open_source(args[0], args[1], &s, &view) < 0)
        return NULL;

    Py_ssize_t result[MAX_DUP + 1] = {0}; /* result[n] for n = 2..10 */
    Py_ssize_t length = 0;
    uint32_t *chars = NULL, *prev = NULL, *cur = NULL, *count = NULL;
    IdMap map = {0};
    int failed = 0;

    if (s.length > 0) {
        /* Visible characters as dense ids (equal ids <=> equal code points). */
        chars = PyMem_Malloc((size_t)s.length * sizeof(uint32_t));
        prev = PyMem_Malloc((size_t)s.length * sizeof(uint32_t));
        cur = PyMem_Malloc((size_t)s.length * sizeof(uint32_t));
        count = PyMem_Malloc(((size_t)s.length + 1) * sizeof(uint32_t));
        if (!chars || !prev || !cur || !count || idmap_init(&map, capacity_for(s.length)) < 0) {
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            failed = 1;
            goto done;
        }
        idmap_clear(&map, (size_t)s.length);
        for (Py_ssize_t i = 0; i < s.length; i++) {
            uint32_t cp = read_cp(&s, i);
            if ((entry_of(&s, cp) & CLASS_MASK) != CLASS_SPACE)
                chars[length++] = idmap_get(&map, cp);
        }
    }

    /* prev[i] is the id of the (n-1)-gram starting at i, or EMPTY when that (n-1)-gram occurs
     * once: then every n-gram starting at i occurs once too, and is not looked up at all (the same
     * pruning the NumPy reference does with its candidate starts). */
    if (length > 0)
        memcpy(prev, chars, (size_t)length * sizeof(uint32_t));
    for (int n = MIN_TOP; n <= MAX_DUP && length >= n + 1; n++) {
        Py_ssize_t starts = length - n + 1;
        Py_ssize_t candidates = 0;
        for (Py_ssize_t i = 0; i < starts; i++)
            candidates += prev[i] != EMPTY;
        idmap_clear(&map, (size_t)candidates);
        for (Py_ssize_t i = 0; i < starts; i++) {
            if (prev[i] == EMPTY) {
                cur[i] = EMPTY;
                continue;
            }
            cur[i] = idmap_get(&map, ((uint64_t)prev[i] << 32) | chars[i + n - 1]);
        }
        uint32_t ids = map.next_id;
        memset(count, 0, (size_t)ids * sizeof(uint32_t));
        for (Py_ssize_t i = 0; i < starts; i++)
            if (cur[i] != EMPTY)
                count[cur[i]]++;
        Py_ssize_t repeated = 0;
        if (n <= MAX_TOP) {
            /* Every start holds an n-gram, so the most frequent occurs at least once. */
            uint32_t longest = 1;
            for (uint32_t id = 0; id < ids; id++)
                if (count[id] > longest)
                    longest = count[id];
            result[n] = longest;
            repeated = longest > 1;
        } else {
            /* Union of the spans [i, i + n) of repeated n-grams; starts come in order. */
            Py_ssize_t covered = 0, end = 0;
            for (Py_ssize_t i = 0; i < starts; i++) {
                if (cur[i] == EMPTY || count[cur[i]] < 2)
                    continue;
                Py_ssize_t from = i > end ? i : end;
                covered += i + n - from;
                end = i + n;
                repeated = 1;
            }
            result[n] = covered;
        }
        if (!repeated && n > MAX_TOP)
            break; /* no repeated n-gram: no repeated longer one; the rest stay 0 */
        for (Py_ssize_t i = 0; i < starts; i++)
            prev[i] = (cur[i] == EMPTY || count[cur[i]] < 2) ? EMPTY : cur[i];
    }

done:
    PyBuffer_Release(&view);
    PyMem_Free(chars);
    PyMem_Free(prev);
    PyMem_Free(cur);
    PyMem_Free(count);
    if (map.keys || map.ids)
        idmap_free(&map);
    if (failed)
        return NULL;
    return Py_BuildValue("(nnnnnnnnnn)", length, result[2], result[3], result[4], result[5], result[6],
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
    if (PyModule_AddIntConstant(module, "CLASS_MASK", CLASS_MASK) < 0 ||
        PyModule_AddIntConstant(module, "FUNCTION", FUNCTION_BIT) < 0 ||
        PyModule_AddIntConstant(module, "LATIN", CLASS_LATIN) < 0 ||
        PyModule_AddIntConstant(module, "SPACE", CLASS_SPACE) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
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
