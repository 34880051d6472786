/* The optional compiled accelerator of the pdfium backend (see pipeline/pdfium_fast.py).
 *
 * Three functions, each doing exactly what a piece of the pure-Python path does, or answering None
 * when the page is one it does not handle (the caller then runs the Python code, which stays the
 * reference):
 *
 *   read_page(document_address, index, x_tolerance, dedupe)
 *       `pdfium_words.read_page` for an unrotated page whose words all read left to right, PDFium
 *       called directly (page, text page, text, words) -> (words, maybe_duplicates, width, height);
 *   read_words(textpage_address, text, mb_x0, mb_y1, x_tolerance, dedupe)
 *       its word loop alone, for a page Python has opened -> (list of `Word`, maybe_duplicates);
 *   page_lines(words, page, width, height, band)
 *       `layout.page_lines` (column gutter, line clustering, `Line`s) -> list of `Line`.
 *
 * "maybe_duplicates": some two words share (text, int(x0), int(top)); the caller then runs
 * `pdfium_words._dedupe`, whose result is the result.
 *
 * Nothing here links against PDFium or needs its headers: `configure` receives the addresses of the
 * PDFium functions pypdfium2 has already loaded, the `Word` and `Line` classes (whose slots are set
 * directly, as their generated __init__ would set them) and the few Python functions whose exact
 * rounding this code does not reimplement (round, math.hypot, the bold-name regex, `_direction`).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { float left, top, right, bottom; } RectF;   /* FS_RECTF */
typedef struct { float a, b, c, d, e, f; } MatrixF;        /* FS_MATRIX */

typedef int (*loose_fn)(void *, int, RectF *);
typedef void *(*textobj_fn)(void *, int);
typedef double (*fontsize_fn)(void *, int);
typedef int (*matrix_fn)(void *, int, MatrixF *);
typedef unsigned long (*fontinfo_fn)(void *, int, void *, unsigned long, int *);
typedef int (*weight_fn)(void *, int);
typedef float (*angle_fn)(void *, int);
typedef void *(*load_page_fn)(void *, int);
typedef void (*close_fn)(void *);
typedef int (*rotation_fn)(void *);
typedef int (*mediabox_fn)(void *, float *, float *, float *, float *);
typedef int (*bbox_fn)(void *, RectF *);
typedef void *(*load_textpage_fn)(void *);
typedef int (*count_fn)(void *);
typedef int (*text_index_fn)(void *, int);
typedef int (*get_text_fn)(void *, int, int, unsigned short *);

enum { W_TEXT, W_X0, W_X1, W_TOP, W_BOTTOM, W_SIZE, W_BOLD, W_N };
enum { L_PAGE, L_COLUMN, L_WORDS, L_X0, L_X1, L_TOP, L_BOTTOM, L_SIZE, L_BOLD, L_TEXT, L_N };
static const char *WORD_FIELDS[W_N] = {"text", "x0", "x1", "top", "bottom", "size", "bold"};
static const char *LINE_FIELDS[L_N] = {"page", "column", "words", "x0", "x1", "top", "bottom", "size", "bold", "text"};

#define FONT_BUF 256

static struct {
    int ready;
    loose_fn loose;
    textobj_fn textobj;
    fontsize_fn fontsize;
    matrix_fn matrix;
    fontinfo_fn fontinfo;
    weight_fn weight;
    angle_fn angle;
    load_page_fn load_page;
    close_fn close_page;
    rotation_fn rotation;
    mediabox_fn mediabox;
    bbox_fn bbox;
    load_textpage_fn load_textpage;
    close_fn close_textpage;
    count_fn count_chars;
    text_index_fn text_index;
    get_text_fn get_text;
    PyTypeObject *word_type;
    PyTypeObject *line_type;
    Py_ssize_t w_off[W_N];
    Py_ssize_t l_off[L_N];
    PyObject *bold_search; /* _BOLD.search */
    PyObject *hypot;       /* math.hypot */
    PyObject *direction;   /* pdfium_words._direction */
    PyObject *round1;      /* lambda x: round(x, 1) */
    PyObject *str_ltr;
    PyObject *str_full;
    PyObject *empty;
} S;

#define SLOT(o, off) (*(PyObject **)((char *)(o) + (off)))

static int member_offset(PyTypeObject *t, const char *name, Py_ssize_t *off) {
    PyObject *d = PyDict_GetItemString(t->tp_dict, name); /* borrowed */
    if (d == NULL || Py_TYPE(d) != &PyMemberDescr_Type) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", t->tp_name, name);
        return -1;
    }
    PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
    if (m->type != T_OBJECT_EX) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot", t->tp_name, name);
        return -1;
    }
    *off = m->offset;
    return 0;
}

static void *address_of(PyObject *addresses, const char *name) {
    PyObject *v = PyDict_GetItemString(addresses, name);
    if (v == NULL) {
        PyErr_Format(PyExc_KeyError, "no address for %s", name);
        return NULL;
    }
    void *p = PyLong_AsVoidPtr(v);
    if (p == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_ValueError, "null address for %s", name);
    return p;
}

/* 1 (TypeError set) unless the dataclass `type` has exactly the fields `names`, in that order; -1 on error. */
static int fields_differ(PyObject *type, const char *const *names, int n) {
    PyObject *fields = PyObject_GetAttrString(type, "__dataclass_fields__");
    if (!fields) return -1;
    int differ = !PyDict_Check(fields) || PyDict_GET_SIZE(fields) != n;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    for (int i = 0; !differ && PyDict_Next(fields, &pos, &key, &value); i++)
        differ = !PyUnicode_Check(key) || PyUnicode_CompareWithASCIIString(key, names[i]) != 0;
    Py_DECREF(fields);
    if (differ) PyErr_Format(PyExc_TypeError, "%s's fields are not the ones the accelerator builds", ((PyTypeObject *)type)->tp_name);
    return differ;
}

static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *addresses, *word_type, *line_type, *bold_search, *hypot, *direction, *round1;
    if (!PyArg_ParseTuple(args, "O!O!O!OOOO", &PyDict_Type, &addresses, &PyType_Type, &word_type, &PyType_Type,
                          &line_type, &bold_search, &hypot, &direction, &round1))
        return NULL;
    S.ready = 0;
    if (!(S.loose = (loose_fn)address_of(addresses, "FPDFText_GetLooseCharBox"))) return NULL;
    if (!(S.textobj = (textobj_fn)address_of(addresses, "FPDFText_GetTextObject"))) return NULL;
    if (!(S.fontsize = (fontsize_fn)address_of(addresses, "FPDFText_GetFontSize"))) return NULL;
    if (!(S.matrix = (matrix_fn)address_of(addresses, "FPDFText_GetMatrix"))) return NULL;
    if (!(S.fontinfo = (fontinfo_fn)address_of(addresses, "FPDFText_GetFontInfo"))) return NULL;
    if (!(S.weight = (weight_fn)address_of(addresses, "FPDFText_GetFontWeight"))) return NULL;
    if (!(S.angle = (angle_fn)address_of(addresses, "FPDFText_GetCharAngle"))) return NULL;
    if (!(S.load_page = (load_page_fn)address_of(addresses, "FPDF_LoadPage"))) return NULL;
    if (!(S.close_page = (close_fn)address_of(addresses, "FPDF_ClosePage"))) return NULL;
    if (!(S.rotation = (rotation_fn)address_of(addresses, "FPDFPage_GetRotation"))) return NULL;
    if (!(S.mediabox = (mediabox_fn)address_of(addresses, "FPDFPage_GetMediaBox"))) return NULL;
    if (!(S.bbox = (bbox_fn)address_of(addresses, "FPDF_GetPageBoundingBox"))) return NULL;
    if (!(S.load_textpage = (load_textpage_fn)address_of(addresses, "FPDFText_LoadPage"))) return NULL;
    if (!(S.close_textpage = (close_fn)address_of(addresses, "FPDFText_ClosePage"))) return NULL;
    if (!(S.count_chars = (count_fn)address_of(addresses, "FPDFText_CountChars"))) return NULL;
    if (!(S.text_index = (text_index_fn)address_of(addresses, "FPDFText_GetTextIndexFromCharIndex"))) return NULL;
    if (!(S.get_text = (get_text_fn)address_of(addresses, "FPDFText_GetText"))) return NULL;
    PyTypeObject *wt = (PyTypeObject *)word_type, *lt = (PyTypeObject *)line_type;
    /* Objects are built slot by slot: a field this file does not know would be left unset. */
    if (fields_differ(word_type, WORD_FIELDS, W_N) || fields_differ(line_type, LINE_FIELDS, L_N)) return NULL;
    if (!PyType_IS_GC(wt)) { PyErr_SetString(PyExc_TypeError, "Word is not a GC type"); return NULL; }
    for (int i = 0; i < W_N; i++)
        if (member_offset(wt, WORD_FIELDS[i], &S.w_off[i]) < 0) return NULL;
    for (int i = 0; i < L_N; i++)
        if (member_offset(lt, LINE_FIELDS[i], &S.l_off[i]) < 0) return NULL;
    Py_INCREF(word_type); Py_XSETREF(S.word_type, wt);
    Py_INCREF(line_type); Py_XSETREF(S.line_type, lt);
    Py_INCREF(bold_search); Py_XSETREF(S.bold_search, bold_search);
    Py_INCREF(hypot); Py_XSETREF(S.hypot, hypot);
    Py_INCREF(direction); Py_XSETREF(S.direction, direction);
    Py_INCREF(round1); Py_XSETREF(S.round1, round1);
    if (!S.str_ltr && !(S.str_ltr = PyUnicode_InternFromString("ltr"))) return NULL;
    if (!S.str_full && !(S.str_full = PyUnicode_InternFromString("full"))) return NULL;
    if (!S.empty && !(S.empty = PyUnicode_New(0, 0))) return NULL;
    S.ready = 1;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- words --------------------- */

typedef struct {
    double size;     /* unrounded, with the text matrix's scale when it was left out */
    PyObject *shown; /* round(size or 0.0, 1), owned */
    PyObject *bold;  /* Py_True / Py_False, borrowed (immortal enough: kept alive by the module) */
    double wide, narrow, tall;
} Style;

typedef struct {
    void *key;
    Style style;
} StyleSlot;

typedef struct {
    StyleSlot *slots;
    size_t cap, used;
} StyleTable;

static size_t ptr_hash(void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static Style *table_get(StyleTable *t, void *key) {
    if (t->cap == 0) return NULL;
    size_t i = ptr_hash(key) & (t->cap - 1);
    while (t->slots[i].key) {
        if (t->slots[i].key == key) return &t->slots[i].style;
        i = (i + 1) & (t->cap - 1);
    }
    return NULL;
}

static int table_put(StyleTable *t, void *key, const Style *s) {
    if ((t->used + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        StyleSlot *slots = calloc(cap, sizeof(StyleSlot));
        if (!slots) { PyErr_NoMemory(); return -1; }
        for (size_t j = 0; j < t->cap; j++) {
            if (!t->slots[j].key) continue;
            size_t i = ptr_hash(t->slots[j].key) & (cap - 1);
            while (slots[i].key) i = (i + 1) & (cap - 1);
            slots[i] = t->slots[j];
        }
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    size_t i = ptr_hash(key) & (t->cap - 1);
    while (t->slots[i].key) i = (i + 1) & (t->cap - 1);
    t->slots[i].key = key;
    t->slots[i].style = *s;
    Py_INCREF(s->shown);
    t->used++;
    return 0;
}

static void table_free(StyleTable *t) {
    for (size_t j = 0; j < t->cap; j++)
        if (t->slots[j].key) Py_DECREF(t->slots[j].style.shown);
    free(t->slots);
}

static inline int word_char(Py_UCS4 c) {
    /* _TOKEN's class: [^\s\x00-\x08\x0b\x0c\x0e-\x1f\ufffe] (\s is Python's Unicode whitespace) */
    if (c <= 0x08 || (c >= 0x0e && c <= 0x1f) || c == 0xFFFE) return 0;
    return !Py_UNICODE_ISSPACE(c);
}

static double call_double(PyObject *fn, double a, double b, int two, int *err) {
    PyObject *r = two ? PyObject_CallFunction(fn, "dd", a, b) : PyObject_CallFunction(fn, "d", a);
    if (!r) { *err = 1; return 0.0; }
    double v = PyFloat_AsDouble(r);
    Py_DECREF(r);
    if (v == -1.0 && PyErr_Occurred()) *err = 1;
    return v;
}

/* `_style`: how glyph `index` (loose box `r`) is set. Returns 1 (ltr: style filled), 0 (the glyph
 * does not read left to right: the page goes to the Python path), -1 (error). */
static int compute_style(void *tp, int index, const RectF *r, PyObject *fonts, char *fontbuf, int *flags,
                         double *last_size, PyObject **last_shown, Style *out) {
    double size = S.fontsize(tp, index);
    double h = (double)r->top - (double)r->bottom;
    if (!(0.9 * size <= h && h <= 1.6 * size)) {
        MatrixF m;
        if (S.matrix(tp, index, &m)) {
            int err = 0;
            double scale = call_double(S.hypot, (double)m.c, (double)m.d, 1, &err);
            if (err) return -1;
            size *= scale;
        }
    }
    unsigned long n = S.fontinfo(tp, index, fontbuf, FONT_BUF, flags);
    Py_ssize_t len = n >= 1 ? (Py_ssize_t)(n - 1) : 0;
    if (len > FONT_BUF) len = FONT_BUF;
    PyObject *name = PyBytes_FromStringAndSize(fontbuf, len);
    if (!name) return -1;
    PyObject *bold = PyDict_GetItemWithError(fonts, name); /* borrowed */
    if (bold == NULL) {
        if (PyErr_Occurred()) { Py_DECREF(name); return -1; }
        PyObject *decoded = PyUnicode_DecodeLatin1(fontbuf, len, NULL);
        if (!decoded) { Py_DECREF(name); return -1; }
        PyObject *match = PyObject_CallOneArg(S.bold_search, decoded);
        Py_DECREF(decoded);
        if (!match) { Py_DECREF(name); return -1; }
        int truth = PyObject_IsTrue(match);
        Py_DECREF(match);
        if (truth < 0) { Py_DECREF(name); return -1; }
        if (!truth) truth = S.weight(tp, index) >= 600;
        bold = truth ? Py_True : Py_False;
        if (PyDict_SetItem(fonts, name, bold) < 0) { Py_DECREF(name); return -1; }
    }
    Py_DECREF(name);
    double angle = (double)S.angle(tp, index);
    if (!(angle < 0.05 || angle > 2 * 3.141592653589793 - 0.05)) {
        PyObject *a = PyFloat_FromDouble(angle);
        if (!a) return -1;
        PyObject *zero = PyLong_FromLong(0);
        if (!zero) { Py_DECREF(a); return -1; }
        PyObject *d = PyObject_CallFunctionObjArgs(S.direction, a, zero, NULL);
        Py_DECREF(a);
        Py_DECREF(zero);
        if (!d) return -1;
        int cmp = PyUnicode_Check(d) ? PyUnicode_Compare(d, S.str_ltr) : 1;
        Py_DECREF(d);
        if (cmp == -1 && PyErr_Occurred()) return -1;
        if (cmp != 0) return 0;
    }
    double em = 1.0 > size ? 1.0 : size;
    double for_round = size != 0.0 ? size : 0.0; /* `size or 0.0` (NaN is truthy) */
    if (*last_shown == NULL || memcmp(&for_round, last_size, sizeof(double)) != 0) {
        PyObject *f = PyFloat_FromDouble(for_round);
        if (!f) return -1;
        PyObject *shown = PyObject_CallOneArg(S.round1, f);
        Py_DECREF(f);
        if (!shown) return -1;
        Py_XSETREF(*last_shown, shown);
        *last_size = for_round;
    }
    out->size = size;
    out->shown = *last_shown;
    out->bold = bold;
    out->wide = 0.85 * em;
    out->narrow = 0.2 * em;
    out->tall = 1.6 * em;
    return 1;
}

static PyObject *new_word(PyObject *text, double x0, double x1, double top, double bottom, PyObject *shown,
                          PyObject *bold) {
    PyObject *w = S.word_type->tp_alloc(S.word_type, 0);
    if (!w) return NULL;
    PyObject *vx0 = PyFloat_FromDouble(x0), *vx1 = PyFloat_FromDouble(x1), *vtop = PyFloat_FromDouble(top),
             *vbottom = PyFloat_FromDouble(bottom);
    if (!vx0 || !vx1 || !vtop || !vbottom) {
        Py_XDECREF(vx0); Py_XDECREF(vx1); Py_XDECREF(vtop); Py_XDECREF(vbottom);
        Py_DECREF(w);
        return NULL;
    }
    Py_INCREF(text); SLOT(w, S.w_off[W_TEXT]) = text;
    SLOT(w, S.w_off[W_X0]) = vx0;
    SLOT(w, S.w_off[W_X1]) = vx1;
    SLOT(w, S.w_off[W_TOP]) = vtop;
    SLOT(w, S.w_off[W_BOTTOM]) = vbottom;
    Py_INCREF(shown); SLOT(w, S.w_off[W_SIZE]) = shown;
    Py_INCREF(bold); SLOT(w, S.w_off[W_BOLD]) = bold;
    /* A Word holds a str, floats and a bool: it can be in no reference cycle, so the cyclic garbage
     * collector need not scan it (as CPython untracks tuples of atoms). Same record, less GC work. */
    PyObject_GC_UnTrack(w);
    return w;
}

typedef struct {
    Py_hash_t hash;
    long long x, y;
} DupKey;

static int dupkey_cmp(const void *pa, const void *pb) {
    const DupKey *a = pa, *b = pb;
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->y != b->y) return a->y < b->y ? -1 : 1;
    return 0;
}

typedef struct {
    int a, b;
    double left, right, bottom, top;
} Piece;

/* Appends a finished word to `found` (and its duplicate key). 0 ok, 1 not finite (page to Python), -1 error. */
static int append_word(PyObject *found, DupKey **keys, Py_ssize_t *nkeys, Py_ssize_t *capkeys, PyObject *text,
                       double x0, double x1, double top, double bottom, const Style *st) {
    if (!isfinite(x0) || !isfinite(x1) || !isfinite(top) || !isfinite(bottom) || fabs(x0) > 1e15 || fabs(top) > 1e15)
        return 1;
    PyObject *w = new_word(text, x0, x1, top, bottom, st->shown, st->bold);
    if (!w) return -1;
    int rc = PyList_Append(found, w);
    Py_DECREF(w);
    if (rc < 0) return -1;
    if (*nkeys == *capkeys) {
        Py_ssize_t cap = *capkeys ? *capkeys * 2 : 1024;
        DupKey *k = realloc(*keys, (size_t)cap * sizeof(DupKey));
        if (!k) { PyErr_NoMemory(); return -1; }
        *keys = k;
        *capkeys = cap;
    }
    Py_hash_t hsh = PyObject_Hash(text);
    if (hsh == -1) return -1;
    (*keys)[*nkeys].hash = hsh;
    (*keys)[*nkeys].x = (long long)x0; /* int(): truncation towards zero */
    (*keys)[*nkeys].y = (long long)top;
    (*nkeys)++;
    return 0;
}

/* The word loop: (words, maybe_duplicates), None (the page is one for the Python path) or NULL. */
static PyObject *words_core(void *tp, PyObject *text, double mb_x0, double mb_y1, double x_tol, int dedupe) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > INT_MAX) Py_RETURN_NONE;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);

    PyObject *found = PyList_New(0);
    PyObject *fonts = PyDict_New();
    PyObject *last_shown = NULL;
    double last_size = 0.0;
    char fontbuf[FONT_BUF];
    memset(fontbuf, 0, sizeof fontbuf);
    int flags = 0;
    StyleTable table = {NULL, 0, 0};
    DupKey *keys = NULL;
    Py_ssize_t nkeys = 0, capkeys = 0;
    Piece *pieces = NULL;
    size_t cap_pieces = 0;
    PyObject *result = NULL;
    int fallback = 0;
    if (!found || !fonts) goto done;

    Py_ssize_t pos = 0;
    while (pos < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, pos);
        Py_ssize_t start = pos, end;
        if (word_char(c)) {
            end = pos + 1;
            while (end < n && word_char(PyUnicode_READ(kind, data, end))) end++;
            if (end < n && PyUnicode_READ(kind, data, end) == 0xFFFE) end++;
        } else if (c == 0xFFFE) {
            end = pos + 1;
        } else {
            pos++;
            continue;
        }
        pos = end;
        int first = (int)start, last = (int)end - 1;
        RectF r1, r2;
        if (!S.loose(tp, first, &r1)) continue;
        void *obj = S.textobj(tp, first);
        Style local, *st = obj ? table_get(&table, obj) : NULL;
        if (st == NULL) {
            int rc = compute_style(tp, first, &r1, fonts, fontbuf, &flags, &last_size, &last_shown, &local);
            if (rc < 0) goto done;
            if (rc == 0) { fallback = 1; goto done; }
            if (obj && table_put(&table, obj, &local) < 0) goto done;
            st = &local;
        }
        double left, right, low, high;
        if (last != first && S.loose(tp, last, &r2)) {
            left = r1.left; right = r2.right; low = r1.bottom; high = r1.top;
            if (r2.left < left) left = r2.left;
            if (r1.right > right) right = r1.right;
            if (r2.bottom < low) low = r2.bottom;
            if (r2.top > high) high = r2.top;
        } else {
            left = r1.left; right = r1.right; low = r1.bottom; high = r1.top;
        }
        PyObject *token;
        if (PyUnicode_READ(kind, data, end - 1) == 0xFFFE) {
            /* token.replace("\ufffe", "-"): only the last character can be U+FFFE. Built with
             * Substring and Concat, which give canonical strings (the narrowest kind), as Python's. */
            PyObject *head = PyUnicode_Substring(text, start, end - 1);
            if (!head) goto done;
            PyObject *dash = PyUnicode_FromStringAndSize("-", 1);
            if (!dash) { Py_DECREF(head); goto done; }
            token = PyUnicode_Concat(head, dash);
            Py_DECREF(head);
            Py_DECREF(dash);
            if (!token) goto done;
        } else {
            token = PyUnicode_Substring(text, start, end);
            if (!token) goto done;
        }
        Py_ssize_t n_letters = end - start;
        double width = right - left;
        if (n_letters == 1 || (st->narrow * (double)n_letters <= width && width <= st->wide * (double)n_letters + 1 &&
                               high - low <= st->tall)) {
            double bottom = mb_y1 - low, top = mb_y1 - high;
            if (0 < st->size && st->size < bottom - top) top = bottom - st->size;
            int rc = append_word(found, &keys, &nkeys, &capkeys, token, left - mb_x0, right - mb_x0, top, bottom, st);
            Py_DECREF(token);
            if (rc < 0) goto done;
            if (rc > 0) { fallback = 1; goto done; }
            continue;
        }
        /* `_pieces`: the glyphs split where they are not side by side on one line. */
        size_t np = 0;
        double prev_right = 0.0, prev_mid = 0.0;
        for (int i = first; i <= last; i++) {
            RectF r;
            if (!S.loose(tp, i, &r)) continue;
            double mid = ((double)r.bottom + (double)r.top) / 2;
            double height = (double)r.top - (double)r.bottom;
            if (1.0 > height) height = 1.0;
            if (np && ((double)r.left < prev_right - x_tol || (double)r.left > prev_right + x_tol ||
                       fabs(mid - prev_mid) > 0.5 * height)) {
                goto new_piece;
            } else if (np) {
                Piece *p = &pieces[np - 1];
                p->b = i;
                if ((double)r.left < p->left) p->left = r.left;
                if ((double)r.right > p->right) p->right = r.right;
                if ((double)r.bottom < p->bottom) p->bottom = r.bottom;
                if ((double)r.top > p->top) p->top = r.top;
            } else {
            new_piece:
                if (np == cap_pieces) {
                    size_t cap = cap_pieces ? cap_pieces * 2 : 16;
                    Piece *pp = realloc(pieces, cap * sizeof(Piece));
                    if (!pp) { Py_DECREF(token); PyErr_NoMemory(); goto done; }
                    pieces = pp;
                    cap_pieces = cap;
                }
                pieces[np].a = i; pieces[np].b = i;
                pieces[np].left = r.left; pieces[np].right = r.right;
                pieces[np].bottom = r.bottom; pieces[np].top = r.top;
                np++;
            }
            prev_right = r.right;
            prev_mid = mid;
        }
        for (size_t k = 0; k < np; k++) {
            Piece *p = &pieces[k];
            double ax = p->left - mb_x0, ay = mb_y1 - p->top;
            double bx = p->right - mb_x0, by = mb_y1 - p->bottom;
            double top = by < ay ? by : ay, bottom = by > ay ? by : ay;
            if (0 < st->size && st->size < bottom - top) top = bottom - st->size;
            PyObject *piece;
            if (np == 1) {
                piece = token;
                Py_INCREF(piece);
            } else {
                piece = PyUnicode_Substring(token, p->a - first, p->b - first + 1);
                if (!piece) { Py_DECREF(token); goto done; }
            }
            int rc = append_word(found, &keys, &nkeys, &capkeys, piece, bx < ax ? bx : ax, bx > ax ? bx : ax, top,
                                 bottom, st);
            Py_DECREF(piece);
            if (rc != 0) {
                Py_DECREF(token);
                if (rc > 0) fallback = 1;
                goto done;
            }
        }
        Py_DECREF(token);
    }
    {
        int maybe_dup = 0;
        if (dedupe && nkeys > 1) {
            qsort(keys, (size_t)nkeys, sizeof(DupKey), dupkey_cmp);
            for (Py_ssize_t i = 1; i < nkeys && !maybe_dup; i++)
                maybe_dup = dupkey_cmp(&keys[i - 1], &keys[i]) == 0;
        }
        result = Py_BuildValue("(OO)", found, maybe_dup ? Py_True : Py_False);
    }
done:
    Py_XDECREF(found);
    Py_XDECREF(fonts);
    Py_XDECREF(last_shown);
    table_free(&table);
    free(keys);
    free(pieces);
    if (fallback && !PyErr_Occurred()) {
        Py_XDECREF(result);
        Py_RETURN_NONE;
    }
    return result;
}

static PyObject *read_words(PyObject *self, PyObject *args) {
    PyObject *tp_obj, *text;
    double mb_x0, mb_y1, x_tol;
    int dedupe;
    if (!PyArg_ParseTuple(args, "OUdddp", &tp_obj, &text, &mb_x0, &mb_y1, &x_tol, &dedupe)) return NULL;
    if (!S.ready) { PyErr_SetString(PyExc_RuntimeError, "_pdfium_fast is not configured"); return NULL; }
    void *tp = PyLong_AsVoidPtr(tp_obj);
    if (!tp) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null text page");
        return NULL;
    }
    return words_core(tp, text, mb_x0, mb_y1, x_tol, dedupe);
}

/* The page's text as pypdfium2's `get_text_range()` gives it (UTF-16 decoded, errors ignored), for
 * a page whose text has one character per char index (what `_page_text` checks). Returns a new
 * reference, Py_None (borrowed: a page for the Python path) or NULL. */
static PyObject *page_text(void *tp, int n_chars) {
    if (n_chars == 0) return PyUnicode_New(0, 0);
    /* `_get_active_text_range(0, n_chars - 1)`: chars without a text index at either end are left out */
    int c_start = 0, c_end = n_chars - 1, l_passive = 0, r_passive = 0, t_start = -1, t_end = -1;
    while (c_start <= c_end) {
        t_start = S.text_index(tp, c_start);
        if (t_start != -1) break;
        c_start++;
        l_passive++;
    }
    if (c_start > c_end) return Py_None; /* get_text_range() gives "", not n_chars long: Python reads char by char */
    while (c_start <= c_end) {
        t_end = S.text_index(tp, c_end);
        if (t_end != -1) break;
        c_end--;
        r_passive++;
    }
    if (c_start > c_end) return Py_None;
    if (l_passive + r_passive > 200) return Py_None; /* Python recurses once per such char */
    int index = l_passive, count = n_chars - l_passive - r_passive;
    long in_count = (long)t_end + 2 - t_start;
    if (in_count <= 1) return Py_None;
    long room = in_count > (long)count + 1 ? in_count : (long)count + 1; /* FPDFText_GetText writes up to count + 1 */
    unsigned short *buffer = calloc((size_t)room, sizeof(unsigned short));
    if (!buffer) return PyErr_NoMemory();
    int out_count = S.get_text(tp, index, count, buffer);
    PyObject *text = Py_None;
    if (out_count >= 1 && out_count <= in_count) {
        int byteorder = -1;
        text = PyUnicode_DecodeUTF16((const char *)buffer, (Py_ssize_t)(out_count - 1) * 2, "ignore", &byteorder);
    }
    free(buffer);
    if (text && text != Py_None && PyUnicode_GET_LENGTH(text) != n_chars) {
        Py_DECREF(text);
        return Py_None; /* the text view and the char list differ: `_page_text` reads char by char */
    }
    return text;
}

/* `read_page` for an unrotated page, PDFium called directly (no pypdfium2 page objects):
 * read_page(document_address, index, x_tolerance, dedupe) -> (words, maybe_duplicates, width,
 * height) or None (the caller reads the page with the Python code). */
static PyObject *read_page(PyObject *self, PyObject *args) {
    PyObject *doc_obj;
    int index, dedupe;
    double x_tol;
    if (!PyArg_ParseTuple(args, "Oidp", &doc_obj, &index, &x_tol, &dedupe)) return NULL;
    if (!S.ready) { PyErr_SetString(PyExc_RuntimeError, "_pdfium_fast is not configured"); return NULL; }
    void *doc = PyLong_AsVoidPtr(doc_obj);
    if (!doc) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null document");
        return NULL;
    }
    void *page = S.load_page(doc, index);
    if (!page) Py_RETURN_NONE;
    PyObject *result = Py_None;
    Py_INCREF(result);
    void *tp = NULL;
    if (S.rotation(page) != 0) goto done;
    float l = 0, b = 0, r = 0, t = 0;
    double x0, y0, x1, y1;
    RectF box;
    if (S.mediabox(page, &l, &b, &r, &t)) {
        x0 = l; y0 = b; x1 = r; y1 = t;
    } else if (S.bbox(page, &box)) { /* a MediaBox set on the page tree: `_page_box` */
        x0 = box.left; y0 = box.bottom; x1 = box.right; y1 = box.top;
    } else {
        x0 = 0; y0 = 0; x1 = 612; y1 = 792; /* pypdfium2's fallback */
    }
    tp = S.load_textpage(page);
    if (!tp) goto done;
    int n_chars = S.count_chars(tp);
    if (n_chars < 0) goto done;
    PyObject *text = page_text(tp, n_chars);
    if (!text) { Py_CLEAR(result); goto done; }
    if (text == Py_None) goto done;
    PyObject *words = words_core(tp, text, x0, y1, x_tol, dedupe);
    Py_DECREF(text);
    if (!words) { Py_CLEAR(result); goto done; }
    if (words == Py_None) { Py_DECREF(words); goto done; }
    PyObject *out = Py_BuildValue("(OOdd)", PyTuple_GET_ITEM(words, 0), PyTuple_GET_ITEM(words, 1), x1 - x0, y1 - y0);
    Py_DECREF(words);
    Py_SETREF(result, out);
done:
    if (tp) S.close_textpage(tp);
    S.close_page(page);
    return result;
}

/* ---------------------------------------------------------------- lines --------------------- */

typedef struct {
    PyObject *obj;
    PyObject *text, *vx0, *vx1, *vtop, *vbottom, *vsize; /* borrowed from the Word */
    double x0, x1, top, bottom, size;
    Py_ssize_t len;
    int bold;
} W;

/* Stable merge sort of indices by a comparison "a goes before b". */
typedef int (*before_fn)(const W *, const W *);

static int before_top_x0(const W *a, const W *b) {
    /* sorted(key=attrgetter("top", "x0")): tuples compare top, then x0 (no NaN here) */
    if (a->top != b->top) return a->top < b->top;
    return a->x0 < b->x0;
}

static int before_x0(const W *a, const W *b) { return a->x0 < b->x0; }

static void merge_sort(Py_ssize_t *idx, Py_ssize_t *tmp, Py_ssize_t n, const W *ws, before_fn before) {
    if (n < 2) return;
    if (n <= 16) { /* insertion sort: stable */
        for (Py_ssize_t i = 1; i < n; i++) {
            Py_ssize_t v = idx[i], j = i;
            while (j > 0 && before(&ws[v], &ws[idx[j - 1]])) { idx[j] = idx[j - 1]; j--; }
            idx[j] = v;
        }
        return;
    }
    Py_ssize_t h = n / 2;
    merge_sort(idx, tmp, h, ws, before);
    merge_sort(idx + h, tmp, n - h, ws, before);
    Py_ssize_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (before(&ws[idx[j]], &ws[idx[i]])) tmp[k++] = idx[j++];
        else tmp[k++] = idx[i++];
    }
    while (i < h) tmp[k++] = idx[i++];
    while (j < n) tmp[k++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof(Py_ssize_t));
}

static int read_float(PyObject *o, double *v) {
    if (!PyFloat_CheckExact(o)) return 0;
    *v = PyFloat_AS_DOUBLE(o);
    return isfinite(*v);
}

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* `_cluster_lines` of the words `in[0..n)` (in that order): sorts them (stably, by top then x0)
 * into `grouped` and returns the number of lines; line k is grouped[starts[k] .. starts[k+1]).
 * `grouped` holds n entries, `starts` n + 1, `tmp`, `tops`, `bottoms` and `line_of` n each. */
static Py_ssize_t cluster(const W *ws, const Py_ssize_t *in, Py_ssize_t n, Py_ssize_t *grouped, Py_ssize_t *starts,
                          Py_ssize_t *tmp, double *tops, double *bottoms, Py_ssize_t *line_of, Py_ssize_t *order) {
    memcpy(order, in, (size_t)n * sizeof(Py_ssize_t));
    merge_sort(order, tmp, n, ws, before_top_x0);
    Py_ssize_t nlines = 0;
    for (Py_ssize_t k = 0; k <= n; k++) starts[k] = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        const W *w = &ws[order[k]];
        double w_top = w->top, w_bottom = w->bottom;
        Py_ssize_t placed = -1, cand[3], nc = 0;
        if (nlines >= 3) { cand[0] = nlines - 1; cand[1] = nlines - 2; cand[2] = nlines - 3; nc = 3; }
        else for (Py_ssize_t i = nlines - 1; i >= 0; i--) cand[nc++] = i;
        for (Py_ssize_t c = 0; c < nc; c++) {
            Py_ssize_t i = cand[c];
            double top = tops[i], bottom = bottoms[i];
            double overlap = (bottom < w_bottom ? bottom : w_bottom) - (top > w_top ? top : w_top);
            double h = bottom - top;
            if (w_bottom - w_top < h) h = w_bottom - w_top;
            if (overlap >= 0.5 * h) {
                placed = i;
                if (w_top < top) tops[i] = w_top;
                if (w_bottom > bottom) bottoms[i] = w_bottom;
                break;
            }
        }
        if (placed < 0) {
            placed = nlines++;
            tops[placed] = w_top;
            bottoms[placed] = w_bottom;
        }
        line_of[k] = placed;
        starts[placed + 1]++;
    }
    for (Py_ssize_t i = 0; i < nlines; i++) starts[i + 1] += starts[i];
    /* `tmp` as the fill pointers (nlines <= n) */
    memcpy(tmp, starts, (size_t)nlines * sizeof(Py_ssize_t));
    for (Py_ssize_t k = 0; k < n; k++) grouped[tmp[line_of[k]]++] = order[k];
    return nlines;
}

typedef struct {
    Py_ssize_t *grouped, *starts, *tmp, *line_of, *order, *in;
    double *tops, *bottoms, *vals;
} Work;

static void work_free(Work *k) {
    free(k->grouped); free(k->starts); free(k->tmp); free(k->line_of); free(k->order); free(k->in);
    free(k->tops); free(k->bottoms); free(k->vals);
    memset(k, 0, sizeof *k); /* freed twice is then harmless: work_alloc frees on failure, page_lines at its end */
}

static int work_alloc(Work *k, Py_ssize_t n) {
    size_t m = (size_t)n + 1;
    memset(k, 0, sizeof *k);
    k->grouped = malloc(m * sizeof(Py_ssize_t)); k->starts = malloc(m * sizeof(Py_ssize_t));
    k->tmp = malloc(m * sizeof(Py_ssize_t)); k->line_of = malloc(m * sizeof(Py_ssize_t));
    k->order = malloc(m * sizeof(Py_ssize_t)); k->in = malloc(m * sizeof(Py_ssize_t));
    k->tops = malloc(m * sizeof(double)); k->bottoms = malloc(m * sizeof(double)); k->vals = malloc(m * sizeof(double));
    if (!k->grouped || !k->starts || !k->tmp || !k->line_of || !k->order || !k->in || !k->tops || !k->bottoms || !k->vals) {
        work_free(k);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* One side's lines (find_gutter's `left` / `right`): each line's leftmost x0 and rightmost x1. */
static Py_ssize_t side_lines(const W *ws, const Py_ssize_t *in, Py_ssize_t n, Work *k, double *minx0, double *maxx1) {
    Py_ssize_t nl = cluster(ws, in, n, k->grouped, k->starts, k->tmp, k->tops, k->bottoms, k->line_of, k->order);
    for (Py_ssize_t l = 0; l < nl; l++) {
        double lo = ws[k->grouped[k->starts[l]]].x0, hi = ws[k->grouped[k->starts[l]]].x1;
        for (Py_ssize_t j = k->starts[l] + 1; j < k->starts[l + 1]; j++) {
            const W *w = &ws[k->grouped[j]];
            if (w->x0 < lo) lo = w->x0;
            if (w->x1 > hi) hi = w->x1;
        }
        minx0[l] = lo;
        maxx1[l] = hi;
    }
    return nl;
}

/* `filled`: the median line width (lower median for an even count, as widths[len // 2]) is at
 * least 0.6 of the column's width. */
static int filled(const double *minx0, const double *maxx1, Py_ssize_t nl, double a, double b, double *scratch) {
    for (Py_ssize_t l = 0; l < nl; l++) scratch[l] = maxx1[l] - minx0[l];
    qsort(scratch, (size_t)nl, sizeof(double), cmp_double);
    return scratch[nl / 2] >= 0.6 * (b - a);
}

/* `find_gutter`: 1 and (g0, g1) when the page has a column gutter, 0 when not, -1 on error. */
static int find_gutter(const W *ws, Py_ssize_t n, double width, double height, double band, double *g0_out,
                       double *g1_out) {
    double top_band = band * height, bottom_band = (1 - band) * height;
    Py_ssize_t nbody = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (ws[i].top > top_band && ws[i].bottom < bottom_band) nbody++;
    if (!isfinite(width) || width > 1e7) return 2; /* absurd page: let Python decide */
    if (nbody < 40 || width <= 0) return 0;
    long n_bins = (long)width + 1;
    long long *delta = calloc((size_t)n_bins + 1, sizeof(long long));
    Py_ssize_t *body = malloc((size_t)nbody * sizeof(Py_ssize_t));
    double *rows = malloc((size_t)nbody * sizeof(double));
    if (!delta || !rows || !body) { free(delta); free(rows); free(body); PyErr_NoMemory(); return -1; }
    Py_ssize_t nr = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const W *w = &ws[i];
        if (!(w->top > top_band && w->bottom < bottom_band)) continue;
        body[nr] = i;
        double s = trunc(w->x0);
        if (s < 0) s = 0;
        double e = ceil(w->x1);
        if (e > (double)n_bins) e = (double)n_bins;
        if (s < e) {
            delta[(long)s]++;
            delta[(long)e]--;
        }
        rows[nr++] = nearbyint(w->top); /* round(): half to even */
    }
    qsort(rows, (size_t)nr, sizeof(double), cmp_double);
    Py_ssize_t distinct = nr ? 1 : 0;
    for (Py_ssize_t i = 1; i < nr; i++)
        if (rows[i] != rows[i - 1]) distinct++;
    free(rows);
    long long *cover = malloc((size_t)n_bins * sizeof(long long));
    if (!cover) { free(delta); free(body); PyErr_NoMemory(); return -1; }
    long long run = 0;
    for (long x = 0; x < n_bins; x++) {
        run += delta[x];
        cover[x] = run;
    }
    free(delta);
    long long allowed = distinct / 12;
    if (allowed < 1) allowed = 1;
    long lo = (long)(width * 0.2), hi = (long)(width * 0.8);
    int have = 0;
    long long best_low = 0;
    long best_len = 0, best_start = 0, start = -1;
    for (long x = lo; x <= hi; x++) {
        int empty = x < hi && cover[x] <= allowed;
        if (empty && start < 0) {
            start = x;
        } else if (!empty && start >= 0) {
            long long low = cover[start];
            for (long i = start; i < x; i++)
                if (cover[i] < low) low = cover[i];
            long i = start;
            while (i < x) {
                if (cover[i] != low) { i++; continue; }
                long j = i;
                while (j < x && cover[j] == low) j++;
                if (j - i >= 6) {
                    /* cand = (low, -(j - i), i); the smallest wins */
                    long len = j - i;
                    if (!have || low < best_low || (low == best_low && (len > best_len || (len == best_len && i < best_start)))) {
                        have = 1;
                        best_low = low;
                        best_len = len;
                        best_start = i;
                    }
                }
                i = j;
            }
            start = -1;
        }
    }
    free(cover);
    if (!have) { free(body); return 0; }
    double g0 = (double)best_start, g1 = g0 + (double)best_len;
    Work k;
    if (work_alloc(&k, nbody) < 0) { free(body); return -1; }
    double *lminx0 = malloc((size_t)(nbody + 1) * sizeof(double)), *lmaxx1 = malloc((size_t)(nbody + 1) * sizeof(double));
    double *rminx0 = malloc((size_t)(nbody + 1) * sizeof(double)), *rmaxx1 = malloc((size_t)(nbody + 1) * sizeof(double));
    long long *keys = malloc((size_t)(nbody + 1) * sizeof(long long)), *counts = malloc((size_t)(nbody + 1) * sizeof(long long));
    int result = 0;
    if (!lminx0 || !lmaxx1 || !rminx0 || !rmaxx1 || !keys || !counts) { PyErr_NoMemory(); result = -1; goto out; }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < nbody; i++)
        if (ws[body[i]].x1 <= g0 + 0.5) k.in[m++] = body[i];
    Py_ssize_t nl = side_lines(ws, k.in, m, &k, lminx0, lmaxx1);
    m = 0;
    for (Py_ssize_t i = 0; i < nbody; i++)
        if (ws[body[i]].x0 >= g1 - 0.5) k.in[m++] = body[i];
    Py_ssize_t nrl = side_lines(ws, k.in, m, &k, rminx0, rmaxx1);
    if (nl < 4 || nrl < 4) goto out;
    /* Counter(round(line x0)) over the right lines; most_common(1): the first key with the top count */
    Py_ssize_t nkeys = 0;
    for (Py_ssize_t l = 0; l < nrl; l++) {
        long long key = (long long)nearbyint(rminx0[l]);
        Py_ssize_t q;
        for (q = 0; q < nkeys; q++)
            if (keys[q] == key) break;
        if (q == nkeys) { keys[q] = key; counts[q] = 0; nkeys++; }
        counts[q]++;
    }
    Py_ssize_t modei = 0;
    for (Py_ssize_t q = 1; q < nkeys; q++)
        if (counts[q] > counts[modei]) modei = q;
    long long mode = keys[modei], aligned = 0;
    for (Py_ssize_t q = 0; q < nkeys; q++)
        if (llabs(keys[q] - mode) <= 2) aligned += counts[q];
    if ((double)aligned < 0.6 * (double)nrl) goto out;
    double left_x0 = lminx0[0], right_x1 = rmaxx1[0];
    for (Py_ssize_t l = 1; l < nl; l++)
        if (lminx0[l] < left_x0) left_x0 = lminx0[l];
    for (Py_ssize_t l = 1; l < nrl; l++)
        if (rmaxx1[l] > right_x1) right_x1 = rmaxx1[l];
    if (!(filled(lminx0, lmaxx1, nl, left_x0, g0, k.vals) && filled(rminx0, rmaxx1, nrl, g1, right_x1, k.vals))) goto out;
    double denom = right_x1 - g1;
    if (1.0 > denom) denom = 1.0;
    double ratio = (g0 - left_x0) / denom;
    if (g1 - g0 > 0.15 * (right_x1 - left_x0) || !(0.4 <= ratio && ratio <= 2.5)) goto out;
    *g0_out = g0;
    *g1_out = g1;
    result = 1;
out:
    free(lminx0); free(lmaxx1); free(rminx0); free(rmaxx1); free(keys); free(counts);
    work_free(&k);
    free(body);
    return result;
}

/* A `Line` as `Line(page, column, words)` makes it (its __post_init__ `refresh`), from the words
 * idx[0..n) in that order (sorted here by x0, stably). Returns a new reference, NULL on error, or
 * Py_None (borrowed) when the line is one to leave to Python. */
static PyObject *make_line(PyObject *page, PyObject *column, const W *ws, Py_ssize_t *idx, Py_ssize_t n,
                           Py_ssize_t *tmp) {
    PyObject *words = PyList_New(n);
    if (!words) return NULL;
    PyObject *x0, *x1, *top, *bottom, *size, *bold, *text;
    if (n == 1) {
        const W *w = &ws[idx[0]];
        Py_INCREF(w->obj);
        PyList_SET_ITEM(words, 0, w->obj);
        x0 = w->vx0; x1 = w->vx1; top = w->vtop; bottom = w->vbottom; size = w->vsize;
        bold = (w->bold || w->len == 0) ? Py_True : Py_False;
        text = w->text;
        Py_INCREF(text);
    } else {
        merge_sort(idx, tmp, n, ws, before_x0);
        const W *f = &ws[idx[0]];
        x0 = f->vx0; x1 = f->vx1; top = f->vtop; bottom = f->vbottom;
        double dx1 = f->x1, dtop = f->top, dbottom = f->bottom;
        /* characters per size, in order of first appearance */
        double sizes[8];
        PyObject *size_objs[8] = {NULL};
        long long counts[8];
        int nsizes = 0, overflow = 0;
        long long chars = 0, bold_chars = 0;
        for (Py_ssize_t k = 0; k < n; k++) {
            const W *w = &ws[idx[k]];
            Py_INCREF(w->obj);
            PyList_SET_ITEM(words, k, w->obj);
            if (w->x1 > dx1) { dx1 = w->x1; x1 = w->vx1; }
            if (w->top < dtop) { dtop = w->top; top = w->vtop; }
            if (w->bottom > dbottom) { dbottom = w->bottom; bottom = w->vbottom; }
            int s;
            for (s = 0; s < nsizes; s++)
                if (sizes[s] == w->size) break;
            if (s == nsizes) {
                if (nsizes == 8) { overflow = 1; s = -1; }
                else { sizes[s] = w->size; size_objs[s] = w->vsize; counts[s] = 0; nsizes++; }
            }
            if (s >= 0) counts[s] += w->len;
            chars += w->len;
            if (w->bold) bold_chars += w->len;
        }
        if (overflow) { Py_DECREF(words); return Py_None; } /* many sizes on one line: Python decides */
        int best = 0;
        for (int s = 1; s < nsizes; s++)
            if (counts[s] > counts[best]) best = s;
        size = size_objs[best];
        bold = (double)bold_chars >= 0.9 * (double)chars ? Py_True : Py_False;
        /* join_words */
        PyObject *parts = PyList_New(0);
        if (!parts) { Py_DECREF(words); return NULL; }
        PyObject *space = NULL;
        double prev_x1 = f->x1;
        if (PyList_Append(parts, f->text) < 0) goto fail_parts;
        for (Py_ssize_t k = 1; k < n; k++) {
            const W *w = &ws[idx[k]];
            if (w->x0 - prev_x1 > 0.08 * (w->size > 1.0 ? w->size : 1.0)) {
                if (!space && !(space = PyUnicode_FromStringAndSize(" ", 1))) goto fail_parts;
                if (PyList_Append(parts, space) < 0) goto fail_parts;
            }
            if (PyList_Append(parts, w->text) < 0) goto fail_parts;
            prev_x1 = w->x1;
        }
        text = PyUnicode_Join(S.empty, parts);
        Py_XDECREF(space);
        Py_DECREF(parts);
        if (!text) { Py_DECREF(words); return NULL; }
        goto build;
    fail_parts:
        Py_XDECREF(space);
        Py_DECREF(parts);
        Py_DECREF(words);
        return NULL;
    }
build:;
    PyObject *line = S.line_type->tp_alloc(S.line_type, 0);
    if (!line) { Py_DECREF(words); Py_DECREF(text); return NULL; }
    Py_INCREF(page); SLOT(line, S.l_off[L_PAGE]) = page;
    Py_INCREF(column); SLOT(line, S.l_off[L_COLUMN]) = column;
    SLOT(line, S.l_off[L_WORDS]) = words;
    Py_INCREF(x0); SLOT(line, S.l_off[L_X0]) = x0;
    Py_INCREF(x1); SLOT(line, S.l_off[L_X1]) = x1;
    Py_INCREF(top); SLOT(line, S.l_off[L_TOP]) = top;
    Py_INCREF(bottom); SLOT(line, S.l_off[L_BOTTOM]) = bottom;
    Py_INCREF(size); SLOT(line, S.l_off[L_SIZE]) = size;
    Py_INCREF(bold); SLOT(line, S.l_off[L_BOLD]) = bold;
    SLOT(line, S.l_off[L_TEXT]) = text;
    return line;
}

/* Appends the Lines of the clustered words (line l: grouped[starts[l] .. starts[l+1])) to `out`.
 * 0 ok, 1 a line to leave to Python, -1 error. */
static int add_lines(PyObject *out, PyObject *page, PyObject *column, const W *ws, Py_ssize_t *grouped,
                     const Py_ssize_t *starts, Py_ssize_t nlines, Py_ssize_t *tmp) {
    for (Py_ssize_t i = 0; i < nlines; i++) {
        PyObject *line = make_line(page, column, ws, grouped + starts[i], starts[i + 1] - starts[i], tmp);
        if (line == Py_None) return 1;
        if (!line) return -1;
        int rc = PyList_Append(out, line);
        Py_DECREF(line);
        if (rc < 0) return -1;
    }
    return 0;
}

static double line_top(PyObject *line) { return PyFloat_AS_DOUBLE(SLOT(line, S.l_off[L_TOP])); }

/* Stable insertion of the lines of `src` whose top is in [cut, limit), sorted by top, onto `dst`. */
static int add_between(PyObject *dst, PyObject *src, double cut, double limit) {
    Py_ssize_t n = PyList_GET_SIZE(src), start = PyList_GET_SIZE(dst);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *ln = PyList_GET_ITEM(src, i);
        double t = line_top(ln);
        if (!(cut <= t && t < limit)) continue;
        if (PyList_Append(dst, ln) < 0) return -1;
        /* insertion sort step (stable): move left past strictly greater tops */
        Py_ssize_t j = PyList_GET_SIZE(dst) - 1;
        while (j > start && line_top(PyList_GET_ITEM(dst, j - 1)) > t) {
            PyObject *a = PyList_GET_ITEM(dst, j - 1);
            PyList_SET_ITEM(dst, j - 1, PyList_GET_ITEM(dst, j));
            PyList_SET_ITEM(dst, j, a);
            j--;
        }
    }
    return 0;
}

/* `page_lines` on a page with a gutter (g0, g1). 0 ok (lines in *out), 1 leave to Python, -1 error. */
static int two_columns(const W *ws, Py_ssize_t n, PyObject *page, double g0, double g1, PyObject **out) {
    Work k;
    if (work_alloc(&k, n) < 0) return -1;
    Py_ssize_t *rest = malloc((size_t)(n + 1) * sizeof(Py_ssize_t)), *side = malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *host_of = malloc((size_t)(n + 1) * sizeof(Py_ssize_t)), *span_words = malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *span_start = malloc((size_t)(n + 2) * sizeof(Py_ssize_t));
    double *span_top = malloc((size_t)(n + 1) * sizeof(double)), *span_bottom = malloc((size_t)(n + 1) * sizeof(double));
    PyObject *spans = NULL, *left = NULL, *right = NULL, *ordered = NULL, *str_left = NULL, *str_right = NULL;
    int rc = -1;
    if (!rest || !side || !host_of || !span_words || !span_start || !span_top || !span_bottom) { PyErr_NoMemory(); goto out; }
    Py_ssize_t nc = 0, nrest = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (ws[i].x0 < g1 - 0.5 && ws[i].x1 > g0 + 0.5) k.in[nc++] = i;
        else rest[nrest++] = i;
    }
    /* spans: the crossing words' lines; each span's words sorted by x0 (its first refresh) and its box */
    Py_ssize_t nspans = cluster(ws, k.in, nc, k.grouped, k.starts, k.tmp, k.tops, k.bottoms, k.line_of, k.order);
    for (Py_ssize_t s = 0; s < nspans; s++) {
        Py_ssize_t a = k.starts[s], b = k.starts[s + 1];
        merge_sort(k.grouped + a, k.tmp, b - a, ws, before_x0);
        double t = ws[k.grouped[a]].top, bo = ws[k.grouped[a]].bottom;
        for (Py_ssize_t j = a + 1; j < b; j++) {
            if (ws[k.grouped[j]].top < t) t = ws[k.grouped[j]].top;
            if (ws[k.grouped[j]].bottom > bo) bo = ws[k.grouped[j]].bottom;
        }
        span_top[s] = t;
        span_bottom[s] = bo;
    }
    /* the other words: beside a span (its middle within the span's height) it joins the first such span */
    Py_ssize_t nside = 0;
    for (Py_ssize_t r = 0; r < nrest; r++) {
        const W *w = &ws[rest[r]];
        host_of[r] = -1;
        if (nspans) {
            double mid = (w->top + w->bottom) / 2;
            for (Py_ssize_t s = 0; s < nspans; s++)
                if (span_top[s] <= mid && mid <= span_bottom[s]) { host_of[r] = s; break; }
        }
        if (host_of[r] < 0) side[nside++] = rest[r];
    }
    /* each span's final words: its sorted words, then the words it hosts, in page order */
    Py_ssize_t fill = 0;
    for (Py_ssize_t s = 0; s < nspans; s++) {
        span_start[s] = fill;
        for (Py_ssize_t j = k.starts[s]; j < k.starts[s + 1]; j++) span_words[fill++] = k.grouped[j];
        for (Py_ssize_t r = 0; r < nrest; r++)
            if (host_of[r] == s) span_words[fill++] = rest[r];
    }
    span_start[nspans] = fill;
    if (!(spans = PyList_New(0)) || !(left = PyList_New(0)) || !(right = PyList_New(0)) || !(ordered = PyList_New(0)))
        goto out;
    if (!(str_left = PyUnicode_InternFromString("left")) || !(str_right = PyUnicode_InternFromString("right"))) goto out;
    int r;
    if ((r = add_lines(spans, page, S.str_full, ws, span_words, span_start, nspans, k.tmp)) != 0) { rc = r; goto out; }
    /* spans.sort(key=top): stable */
    {
        PyObject *sorted_spans = PyList_New(0);
        if (!sorted_spans) goto out;
        if (add_between(sorted_spans, spans, -INFINITY, INFINITY) < 0) { Py_DECREF(sorted_spans); goto out; }
        Py_SETREF(spans, sorted_spans);
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < nside; i++)
        if ((ws[side[i]].x0 + ws[side[i]].x1) / 2 < g0) k.in[m++] = side[i];
    Py_ssize_t nl = cluster(ws, k.in, m, k.grouped, k.starts, k.tmp, k.tops, k.bottoms, k.line_of, k.order);
    if ((r = add_lines(left, page, str_left, ws, k.grouped, k.starts, nl, k.tmp)) != 0) { rc = r; goto out; }
    m = 0;
    for (Py_ssize_t i = 0; i < nside; i++)
        if ((ws[side[i]].x0 + ws[side[i]].x1) / 2 >= g0) k.in[m++] = side[i];
    nl = cluster(ws, k.in, m, k.grouped, k.starts, k.tmp, k.tops, k.bottoms, k.line_of, k.order);
    if ((r = add_lines(right, page, str_right, ws, k.grouped, k.starts, nl, k.tmp)) != 0) { rc = r; goto out; }
    double cut = -INFINITY;
    Py_ssize_t ns = PyList_GET_SIZE(spans);
    for (Py_ssize_t s = 0; s <= ns; s++) {
        PyObject *sp = s < ns ? PyList_GET_ITEM(spans, s) : NULL;
        double limit = sp ? line_top(sp) : INFINITY;
        if (add_between(ordered, left, cut, limit) < 0 || add_between(ordered, right, cut, limit) < 0) goto out;
        if (sp) {
            if (PyList_Append(ordered, sp) < 0) goto out;
            cut = line_top(sp);
        }
    }
    *out = ordered;
    ordered = NULL;
    rc = 0;
out:
    Py_XDECREF(spans); Py_XDECREF(left); Py_XDECREF(right); Py_XDECREF(ordered);
    Py_XDECREF(str_left); Py_XDECREF(str_right);
    free(rest); free(side); free(host_of); free(span_words); free(span_start); free(span_top); free(span_bottom);
    work_free(&k);
    return rc;
}

static PyObject *page_lines(PyObject *self, PyObject *args) {
    PyObject *words, *page;
    double width, height, band;
    if (!PyArg_ParseTuple(args, "O!Oddd", &PyList_Type, &words, &page, &width, &height, &band)) return NULL;
    if (!S.ready) { PyErr_SetString(PyExc_RuntimeError, "_pdfium_fast is not configured"); return NULL; }
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (n == 0) return PyList_New(0);
    W *ws = malloc((size_t)n * sizeof(W));
    Work k;
    memset(&k, 0, sizeof k);
    PyObject *result = NULL;
    int fallback = 0;
    if (!ws) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PyList_GET_ITEM(words, i);
        W *w = &ws[i];
        if (Py_TYPE(o) != S.word_type) { fallback = 1; goto done; }
        w->obj = o;
        w->text = SLOT(o, S.w_off[W_TEXT]);
        w->vx0 = SLOT(o, S.w_off[W_X0]);
        w->vx1 = SLOT(o, S.w_off[W_X1]);
        w->vtop = SLOT(o, S.w_off[W_TOP]);
        w->vbottom = SLOT(o, S.w_off[W_BOTTOM]);
        w->vsize = SLOT(o, S.w_off[W_SIZE]);
        PyObject *b = SLOT(o, S.w_off[W_BOLD]);
        if (!w->text || !PyUnicode_CheckExact(w->text) || !w->vx0 || !w->vx1 || !w->vtop || !w->vbottom ||
            !w->vsize || (b != Py_True && b != Py_False) || !read_float(w->vx0, &w->x0) ||
            !read_float(w->vx1, &w->x1) || !read_float(w->vtop, &w->top) || !read_float(w->vbottom, &w->bottom) ||
            !read_float(w->vsize, &w->size)) {
            fallback = 1;
            goto done;
        }
        w->bold = b == Py_True;
        w->len = PyUnicode_GET_LENGTH(w->text);
        /* integer keys of x (the column test) would overflow: such a page is Python's */
        if (fabs(w->x0) > 1e15 || fabs(w->x1) > 1e15) { fallback = 1; goto done; }
    }
    double g0 = 0, g1 = 0;
    int g = find_gutter(ws, n, width, height, band, &g0, &g1);
    if (g < 0) goto done;
    if (g > 1) { fallback = 1; goto done; }
    if (g == 1) {
        int rc = two_columns(ws, n, page, g0, g1, &result);
        if (rc > 0) fallback = 1;
        goto done;
    }
    if (work_alloc(&k, n) < 0) goto done;
    for (Py_ssize_t i = 0; i < n; i++) k.in[i] = i;
    Py_ssize_t nlines = cluster(ws, k.in, n, k.grouped, k.starts, k.tmp, k.tops, k.bottoms, k.line_of, k.order);
    result = PyList_New(0);
    if (!result) goto done;
    int rc = add_lines(result, page, S.str_full, ws, k.grouped, k.starts, nlines, k.tmp);
    if (rc < 0) Py_CLEAR(result);
    if (rc > 0) fallback = 1;
done:
    free(ws);
    work_free(&k);
    if (fallback && !PyErr_Occurred()) {
        Py_XDECREF(result);
        Py_RETURN_NONE;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS, "configure(addresses, Word, Line, bold_search, hypot, direction, round1)"},
    {"read_words", read_words, METH_VARARGS,
     "read_words(textpage_address, text, mb_x0, mb_y1, x_tolerance, dedupe) -> (words, maybe_duplicates) | None"},
    {"read_page", read_page, METH_VARARGS,
     "read_page(document_address, index, x_tolerance, dedupe) -> (words, maybe_duplicates, width, height) | None"},
    {"page_lines", page_lines, METH_VARARGS, "page_lines(words, page, width, height, band) -> lines | None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_fast",
                                    "Compiled word reading and line grouping for the pdfium backend.", -1, methods};

PyMODINIT_FUNC PyInit__pdfium_fast(void) { return PyModule_Create(&module); }
