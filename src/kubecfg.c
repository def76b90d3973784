/* kubecfg.c - kubeconfig files, one context, and the credentials it
 * names (see kubecfg.h).
 *
 * Each file is loaded whole with libyaml's document loader; the merge
 * keeps, for every cluster, context and user name, the entry of the first
 * file that has it (kubectl's rule), then copies out what the chosen
 * context needs and drops the documents.  Aliases are never expanded: we
 * only walk the few paths we read. */
#include "config.h"
#include "kubecfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "err.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"
#include "textw.h"

extern char **environ;

#define KC_MAX_FILE     (16u << 20)  /* one kubeconfig file */
#define KC_MAX_SMALL    (1u << 20)   /* CA, cert, key, token files */
#define KC_MAX_ENTRIES  10000        /* clusters/contexts/users per kind */
#define KC_MAX_FILES    64           /* files in KUBECONFIG */
#define KC_MAX_ARGS     256          /* exec args and env entries */
#define KC_MAX_OUT      (1u << 20)   /* plugin stdout */
#define KC_MAX_ERR      (64u << 10)  /* plugin stderr kept */
#define KC_TOKEN_FILE_TTL 60         /* seconds between tokenFile reads */
#define KC_EXPIRY_SKEW  30           /* renew this long before expiry */

/* ---- small helpers ---------------------------------------------------- */

static void zfree(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *dup0(const char *s)
{
	return s ? dupn(s, strlen(s)) : NULL;
}

static int oom(struct ad_error *err)
{
	return ad_error_set(err, AD_ENOMEM, "%s", _("Out of memory."));
}

/* Names and paths from a kubeconfig, for messages: no terminal
 * control, one line, bounded, cut at a character boundary. */
static void clean_copy(char *dst, size_t len, const char *src)
{
	if (!len)
		return;
	tw_sanitize(dst, len, src);
	for (char *p = dst; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard or URL alphabet, padding optional, whitespace ignored.  NULL
 * on a bad character. */
static char *b64_decode(const char *in, size_t len, size_t *outlen)
{
	char *out = malloc(len / 4 * 3 + 4);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i], v;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64val(c);
		if (v < 0 || pad) {
			explicit_bzero(out, o);
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

/* Whole regular file, NUL-terminated, at most max bytes. */
static int read_file(const char *path, size_t max, char **out, size_t *outlen,
		     struct ad_error *err)
{
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf = NULL, shown[300];
	size_t n = 0;
	int e;

	clean_copy(shown, sizeof shown, path);

	if (fd < 0) {
		e = errno;
		return ad_error_set(err, e == ENOENT ? AD_ENOTFOUND : AD_EIO,
				    _("Cannot read %s: %s."), shown, strerror(e));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ad_error_set(err, AD_EIO, _("Cannot read %s: not a regular file."),
				    shown);
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return ad_error_set(err, AD_EIO,
				    _("Cannot read %s: larger than %zu bytes."),
				    shown, max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return oom(err);
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			explicit_bzero(buf, n);
			free(buf);
			return ad_error_set(err, AD_EIO, _("Cannot read %s: %s."),
					    shown, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size) {   /* grew while we read */
			close(fd);
			explicit_bzero(buf, n);
			free(buf);
			return ad_error_set(err, AD_EIO,
					    _("Cannot read %s: it changed while being read."),
					    shown);
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (outlen)
		*outlen = n;
	return 0;
}

/* ---- the object ------------------------------------------------------- */

struct kexec {
	char *api_version;
	char *command;         /* as written */
	char *dir;             /* for a relative command with '/'; may be NULL */
	char **args;
	size_t nargs;
	char **env;            /* "NAME=value" */
	size_t nenv;
	char *install_hint;
	int interactive_always;
	int provide_cluster_info;
};

/* Credentials replaced while a request may still borrow them: kept,
 * zeroed and freed with the object. */
struct retired {
	char *s;
	struct retired *next;
};

struct kubecfg {
	char *source;
	char *context, *cluster, *user, *ns;
	char user_msg[128];    /* user, cleaned for messages */
	int ns_set;
	char *server, *host;
	char *ca_pem;
	char *ca_b64;          /* for an exec plugin's cluster info */
	char *cert_pem, *key_pem;      /* key: secret */
	char *token;                   /* secret */
	char *token_file;
	struct kexec *exec;
	enum kubecfg_auth_kind kind;
	char label[96];

	char **ctx_names, **ctx_clusters;
	size_t nctx;

	pthread_mutex_t lock;
	/* Fetched credentials (exec, tokenFile), under lock. */
	char *dyn_token, *dyn_cert, *dyn_key;
	time_t dyn_exp;        /* 0: no expiry given */
	time_t dyn_at;         /* when fetched */
	int dyn_valid;
	struct retired *retired;

	time_t (*now)(void *arg);
	void *now_arg;
	int exec_timeout_ms;
	ad_cancel_flag *cancel;
	void (*err_line)(void *arg, const char *line);
	void *err_arg;
};

static void kexec_free(struct kexec *x)
{
	if (!x)
		return;
	free(x->api_version);
	free(x->command);
	free(x->dir);
	for (size_t i = 0; i < x->nargs; i++)
		zfree(x->args[i]);
	free(x->args);
	for (size_t i = 0; i < x->nenv; i++)
		zfree(x->env[i]);
	free(x->env);
	free(x->install_hint);
	free(x);
}

void kubecfg_free(struct kubecfg *k)
{
	if (!k)
		return;
	free(k->source);
	free(k->context);
	free(k->cluster);
	free(k->user);
	free(k->ns);
	free(k->server);
	free(k->host);
	free(k->ca_pem);
	free(k->ca_b64);
	free(k->cert_pem);
	zfree(k->key_pem);
	zfree(k->token);
	free(k->token_file);
	kexec_free(k->exec);
	for (size_t i = 0; i < k->nctx; i++) {
		free(k->ctx_names[i]);
		free(k->ctx_clusters[i]);
	}
	free(k->ctx_names);
	free(k->ctx_clusters);
	zfree(k->dyn_token);
	free(k->dyn_cert);
	zfree(k->dyn_key);
	while (k->retired) {
		struct retired *r = k->retired;

		k->retired = r->next;
		zfree(r->s);
		free(r);
	}
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static time_t default_now(void *arg)
{
	(void)arg;
	return time(NULL);
}

static struct kubecfg *kubecfg_alloc(void)
{
	struct kubecfg *k = calloc(1, sizeof *k);

	if (!k)
		return NULL;
	if (pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k);
		return NULL;
	}
	k->now = default_now;
	k->exec_timeout_ms = 60000;
	return k;
}

/* ---- YAML documents and the merge ------------------------------------ */

struct kfile {
	char *path;            /* NULL: memory */
	char *dir;             /* directory of path, for relative names */
	yaml_document_t doc;
	int loaded;
};

struct kentry {
	const char *name;
	yaml_node_t *body;     /* the "cluster:"/"context:"/"user:" mapping */
	yaml_node_t *item;     /* the list item, for positions */
	struct kfile *file;
};

struct kmerge {
	struct kfile **files;  /* pointers: entries point at their file */
	size_t nfiles;
	struct kentry *clusters, *contexts, *users;
	size_t nclusters, ncontexts, nusers;
	const char *current;   /* first non-empty current-context */
	char sources[512];     /* for messages */
};

static const char *fname(const struct kfile *f)
{
	return f->path ? f->path : _("(kubeconfig in memory)");
}

static void kmerge_free(struct kmerge *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		if (m->files[i]->loaded) {
			yaml_document_t *d = &m->files[i]->doc;

			/* Tokens and keys were in there. */
			for (yaml_node_t *n = d->nodes.start; n < d->nodes.top; n++)
				if (n->type == YAML_SCALAR_NODE)
					explicit_bzero(n->data.scalar.value,
						       n->data.scalar.length);
			yaml_document_delete(d);
		}
		free(m->files[i]->path);
		free(m->files[i]->dir);
		free(m->files[i]);
	}
	free(m->files);
	free(m->clusters);
	free(m->contexts);
	free(m->users);
	memset(m, 0, sizeof *m);
}

static yaml_node_t *ynode(struct kfile *f, int id)
{
	return yaml_document_get_node(&f->doc, id);
}

/* Scalar text, NULL for a missing node, a YAML null, or not a scalar. */
static const char *yscalar(yaml_node_t *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length)
		return NULL;            /* an embedded NUL: not a usable string */
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL") ||
	     !strcmp(v, "~") || !*v))
		return NULL;
	return v;
}

static yaml_node_t *ymap_get(struct kfile *f, yaml_node_t *map,
			     const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = ynode(f, p->key);

		if (kn && kn->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)kn->data.scalar.value, key))
			return ynode(f, p->value);
	}
	return NULL;
}

static const char *ymap_str(struct kfile *f, yaml_node_t *map, const char *key)
{
	return yscalar(ymap_get(f, map, key));
}

/* YAML 1.1 booleans, as kubectl's YAML reader takes them. */
static int ybool(yaml_node_t *n)
{
	static const char *const yes[] = {
		"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON",
		"y", "Y"
	};
	const char *v = yscalar(n);

	if (!v || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!strcmp(v, yes[i]))
			return 1;
	return 0;
}

static unsigned long yline(yaml_node_t *n)
{
	return n ? (unsigned long)n->start_mark.line + 1 : 0;
}

static int field_error(struct ad_error *err, int code, struct kfile *f,
		       yaml_node_t *at, const char *what)
{
	char name[300];

	clean_copy(name, sizeof name, fname(f));
	if (f->path && at)
		return ad_error_set(err, code, _("%s, line %lu: %s"), name,
				    yline(at), what);
	return ad_error_set(err, code, "%s: %s", name, what);
}

static int parse_doc(struct kfile *f, const char *text, size_t len,
		     struct ad_error *err)
{
	yaml_parser_t p;
	yaml_node_t *root;
	int ok;

	if (!yaml_parser_initialize(&p))
		return oom(err);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	ok = yaml_parser_load(&p, &f->doc);
	if (!ok) {
		char why[160], shown[300];

		clean_copy(shown, sizeof shown, fname(f));
		clean_copy(why, sizeof why, p.problem ? p.problem :
			   _("unreadable YAML"));
		if (p.error == YAML_MEMORY_ERROR) {
			yaml_parser_delete(&p);
			return oom(err);
		}
		ad_error_set(err, AD_EPARSE,
			     _("%s is not valid YAML: %s at line %lu, column %lu."),
			     shown, why,
			     (unsigned long)p.problem_mark.line + 1,
			     (unsigned long)p.problem_mark.column + 1);
		if (p.context) {
			char ctx[160];

			clean_copy(ctx, sizeof ctx, p.context);
			ad_error_detail(err, "%s (line %lu, column %lu)", ctx,
					(unsigned long)p.context_mark.line + 1,
					(unsigned long)p.context_mark.column + 1);
		}
		yaml_parser_delete(&p);
		return AD_EPARSE;
	}
	yaml_parser_delete(&p);
	f->loaded = 1;
	root = yaml_document_get_root_node(&f->doc);
	if (root && root->type != YAML_MAPPING_NODE && yscalar(root))
		return field_error(err, AD_EPARSE, f, root,
				   _("not a kubeconfig (the top level is not a mapping)."));
	if (root && root->type == YAML_SEQUENCE_NODE)
		return field_error(err, AD_EPARSE, f, root,
				   _("not a kubeconfig (the top level is not a mapping)."));
	return 0;
}

static struct kentry *find_entry(struct kentry *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* Add the named entries of list key ("clusters") of f; names already
 * present stay as the earlier file has them. */
static int merge_list(struct kfile *f, yaml_node_t *root, const char *key,
		      const char *body_key, struct kentry **v, size_t *n,
		      struct ad_error *err)
{
	yaml_node_t *list = ymap_get(f, root, key);
	char what[200];

	if (!list || (list->type == YAML_SCALAR_NODE && !yscalar(list)))
		return 0;
	if (list->type != YAML_SEQUENCE_NODE) {
		snprintf(what, sizeof what, _("\"%s\" must be a list."), key);
		return field_error(err, AD_EPARSE, f, list, what);
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *item = ynode(f, *it);
		const char *name = ymap_str(f, item, "name");
		yaml_node_t *body = ymap_get(f, item, body_key);
		struct kentry *nv;

		if (!item || item->type != YAML_MAPPING_NODE) {
			snprintf(what, sizeof what,
				 _("an entry of \"%s\" is not a mapping."), key);
			return field_error(err, AD_EPARSE, f, item, what);
		}
		if (!name) {
			snprintf(what, sizeof what,
				 _("an entry of \"%s\" has no name."), key);
			return field_error(err, AD_EPARSE, f, item, what);
		}
		if (body && body->type != YAML_MAPPING_NODE) {
			if (yscalar(body) || body->type != YAML_SCALAR_NODE) {
				char nm[128];

				clean_copy(nm, sizeof nm, name);
				snprintf(what, sizeof what,
					 _("\"%s\" of \"%s\" must be a mapping."),
					 body_key, nm);
				return field_error(err, AD_EPARSE, f, body, what);
			}
			body = NULL;    /* "user: null" / "user: {}"-alike */
		}
		if (find_entry(*v, *n, name))
			continue;
		if (*n >= KC_MAX_ENTRIES) {
			snprintf(what, sizeof what,
				 _("more than %d entries in \"%s\"."),
				 KC_MAX_ENTRIES, key);
			return field_error(err, AD_EPARSE, f, item, what);
		}
		nv = realloc(*v, (*n + 1) * sizeof **v);
		if (!nv)
			return oom(err);
		*v = nv;
		nv[*n].name = name;
		nv[*n].body = body;
		nv[*n].item = item;
		nv[*n].file = f;
		(*n)++;
	}
	return 0;
}

static int merge_file(struct kmerge *m, struct kfile *f, struct ad_error *err)
{
	yaml_node_t *root = yaml_document_get_root_node(&f->doc);
	int rc;

	if (!root || root->type != YAML_MAPPING_NODE)
		return 0;              /* an empty file is an empty config */
	if ((rc = merge_list(f, root, "clusters", "cluster", &m->clusters,
			     &m->nclusters, err)) ||
	    (rc = merge_list(f, root, "contexts", "context", &m->contexts,
			     &m->ncontexts, err)) ||
	    (rc = merge_list(f, root, "users", "user", &m->users, &m->nusers,
			     err)))
		return rc;
	if (!m->current)
		m->current = ymap_str(f, root, "current-context");
	return 0;
}

static struct kfile *add_file(struct kmerge *m)
{
	struct kfile **nf = realloc(m->files, (m->nfiles + 1) * sizeof *nf);

	if (!nf)
		return NULL;
	m->files = nf;
	nf[m->nfiles] = calloc(1, sizeof **nf);
	return nf[m->nfiles] ? nf[m->nfiles++] : NULL;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return dup0(".");
	if (slash == path)
		return dup0("/");
	return dupn(path, (size_t)(slash - path));
}

static void note_source(struct kmerge *m, const char *path)
{
	size_t used = strlen(m->sources);

	if (used + 3 >= sizeof m->sources)
		return;
	char shown[300];

	clean_copy(shown, sizeof shown, path);
	snprintf(m->sources + used, sizeof m->sources - used, "%s%s",
		 used ? ":" : "", shown);
}

/* Read and parse one file into m.  missing_ok: skip a file that does not
 * exist (KUBECONFIG entries). */
static int load_path(struct kmerge *m, const char *path, int missing_ok,
		     struct ad_error *err)
{
	struct kfile *f;
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(path, KC_MAX_FILE, &text, &len, err);
	if (rc == AD_ENOTFOUND && missing_ok) {
		ad_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	note_source(m, path);
	f = add_file(m);
	if (!f || !(f->path = dup0(path)) || !(f->dir = dir_of(path))) {
		explicit_bzero(text, len);
		free(text);
		return oom(err);
	}
	rc = parse_doc(f, text, len, err);
	explicit_bzero(text, len);  /* the document holds its own copies */
	free(text);
	if (!rc)
		rc = merge_file(m, f, err);
	return rc;
}

/* ---- resolving one context -------------------------------------------- */

/* path relative to the directory of the file that named it. */
static char *resolve_path(struct kfile *f, const char *p)
{
	char *out;
	size_t n;

	if (p[0] == '/')
		return dup0(p);
	if (!f->dir)
		return NULL;
	n = strlen(f->dir) + strlen(p) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", f->dir, p);
	return out;
}

/* A PEM file or a base64 "-data" field: into *out as PEM text.  kind is
 * what the PEM must hold ("CERTIFICATE", "PRIVATE KEY"); secret: zero
 * what is thrown away. */
static int pem_field(struct kfile *f, yaml_node_t *body, const char *file_key,
		     const char *data_key, const char *owner, const char *kind,
		     int secret, char **out, struct ad_error *err)
{
	yaml_node_t *fn = ymap_get(f, body, file_key);
	yaml_node_t *dn = ymap_get(f, body, data_key);
	const char *file = yscalar(fn), *data = yscalar(dn);
	char what[400], *pem = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!file && !data)
		return 0;
	if (file && data) {
		snprintf(what, sizeof what,
			 _("%s and %s are both given for \"%s\"; give only one."),
			 data_key, file_key, owner);
		return field_error(err, AD_EPARSE, f, dn, what);
	}
	if (data) {
		pem = b64_decode(data, strlen(data), &len);
		if (!pem) {
			snprintf(what, sizeof what,
				 _("%s of \"%s\" is not valid base64."),
				 data_key, owner);
			return field_error(err, AD_EPARSE, f, dn, what);
		}
	} else {
		char *path = resolve_path(f, file);

		if (!path) {
			snprintf(what, sizeof what,
				 _("%s of \"%s\" is a relative file name, which a kubeconfig held in memory cannot have."),
				 file_key, owner);
			return field_error(err, AD_EPARSE, f, fn, what);
		}
		rc = read_file(path, KC_MAX_SMALL, &pem, &len, err);
		if (rc) {
			char msg[sizeof err->msg];

			snprintf(msg, sizeof msg, "%s", err->msg);
			ad_error_set(err, rc == AD_ENOTFOUND ? AD_EIO : rc,
				     _("%s of \"%s\": %s"), file_key, owner, msg);
			free(path);
			return err ? err->code : rc;
		}
		free(path);
	}
	if (strlen(pem) != len || !strstr(pem, "-----BEGIN ") ||
	    !strstr(pem, kind)) {
		if (secret)
			explicit_bzero(pem, len);
		free(pem);
		snprintf(what, sizeof what,
			 _("%s of \"%s\" is not a PEM %s."),
			 data ? data_key : file_key, owner, kind);
		return field_error(err, AD_EPARSE, f, data ? dn : fn, what);
	}
	*out = pem;
	return 0;
}

/* https://host[:port][/path]: host and a canonical copy without a
 * trailing '/'. */
static int check_server(struct kfile *f, yaml_node_t *at, const char *cluster,
			const char *url, char **server, char **host,
			struct ad_error *err)
{
	char what[400];
	const char *h, *end, *p;
	size_t n = strlen(url);

	if (n > 2048 || n < 9) {
		snprintf(what, sizeof what,
			 _("the server of cluster \"%s\" is not a valid https URL."),
			 cluster);
		return field_error(err, AD_EPARSE, f, at, what);
	}
	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			snprintf(what, sizeof what,
				 _("the server of cluster \"%s\" is not a valid https URL."),
				 cluster);
			return field_error(err, AD_EPARSE, f, at, what);
		}
	if (strncasecmp(url, "https://", 8) != 0) {
		if (!strncasecmp(url, "http://", 7)) {
			snprintf(what, sizeof what,
				 _("the server of cluster \"%s\" uses plain http; acr-doctor talks to the Kubernetes API only over verified TLS (https)."),
				 cluster);
			return field_error(err, AD_EUNSUPP, f, at, what);
		}
		snprintf(what, sizeof what,
			 _("the server of cluster \"%s\" is not a valid https URL."),
			 cluster);
		return field_error(err, AD_EPARSE, f, at, what);
	}
	h = url + 8;
	end = h + strcspn(h, "/?#");
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (!rb || rb == h + 1)
			goto bad;
		for (p = h + 1; p < rb; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				goto bad;
		*host = dupn(h + 1, (size_t)(rb - h - 1));
		p = rb + 1;
	} else {
		for (p = h; p < end && *p != ':'; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
				goto bad;
		if (p == h)
			goto bad;
		*host = dupn(h, (size_t)(p - h));
	}
	if (!*host)
		return oom(err);
	if (p < end) {
		long port = 0;

		if (*p != ':' || p + 1 == end)
			goto bad_free;
		for (p++; p < end; p++) {
			if (!isdigit((unsigned char)*p))
				goto bad_free;
			port = port * 10 + (*p - '0');
			if (port > 65535)
				goto bad_free;
		}
		if (port == 0)
			goto bad_free;
	}
	while (n > 8 && url[n - 1] == '/')
		n--;
	*server = dupn(url, n);
	if (!*server)
		return oom(err);
	return 0;
bad_free:
	free(*host);
	*host = NULL;
bad:
	snprintf(what, sizeof what,
		 _("the server of cluster \"%s\" is not a valid https URL."),
		 cluster);
	return field_error(err, AD_EPARSE, f, at, what);
}

static int list_names(struct kmerge *m, struct kubecfg *k)
{
	if (!m->ncontexts)
		return 0;
	k->ctx_names = calloc(m->ncontexts, sizeof *k->ctx_names);
	k->ctx_clusters = calloc(m->ncontexts, sizeof *k->ctx_clusters);
	if (!k->ctx_names || !k->ctx_clusters)
		return -1;
	for (size_t i = 0; i < m->ncontexts; i++) {
		struct kentry *c = &m->contexts[i];
		const char *cl = ymap_str(c->file, c->body, "cluster");

		k->nctx = i + 1;
		k->ctx_names[i] = dup0(c->name);
		k->ctx_clusters[i] = dup0(cl ? cl : "");
		if (!k->ctx_names[i] || !k->ctx_clusters[i])
			return -1;
	}
	return 0;
}

/* "a, b, c" of the context names, bounded. */
static void context_list(struct kmerge *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->ncontexts && used + 8 < len; i++) {
		char one[128];

		clean_copy(one, sizeof one, m->contexts[i].name);
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", one);
	}
	if (used >= len)
		memcpy(buf + len - 4, "...", 4);
}

static int parse_exec(struct kubecfg *k, struct kfile *f, yaml_node_t *xn,
		      struct ad_error *err);

static int resolve_user(struct kubecfg *k, struct kentry *u,
			struct ad_error *err)
{
	struct kfile *f = u->file;
	yaml_node_t *b = u->body, *n;
	char what[400], uname[128];
	const char *tok, *tf;
	int rc;

	clean_copy(uname, sizeof uname, u->name);
	if (!b) {
		k->kind = KUBECFG_AUTH_NONE;
		return 0;
	}
	n = ymap_get(f, b, "auth-provider");
	if (n && (n->type != YAML_SCALAR_NODE || yscalar(n))) {
		const char *pname = ymap_str(f, n, "name");
		char pn[64];

		clean_copy(pn, sizeof pn, pname ? pname : "?");
		snprintf(what, sizeof what,
			 _("user \"%s\" signs in with the \"%s\" auth-provider, which kubectl dropped in 1.26 and acr-doctor does not support; convert the kubeconfig with `kubelogin convert-kubeconfig -l azurecli`."),
			 uname, pn);
		return field_error(err, AD_EUNSUPP, f, n, what);
	}
	/* Acting as someone else, or a password: refused rather than
	 * silently reading the cluster as a different identity. */
	{
		static const char *const as_keys[] = {
			"as", "as-uid", "as-groups", "as-user-extra"
		};

		for (size_t i = 0; i < sizeof as_keys / sizeof as_keys[0]; i++) {
			n = ymap_get(f, b, as_keys[i]);
			if (n && (n->type != YAML_SCALAR_NODE || yscalar(n))) {
				snprintf(what, sizeof what,
					 _("user \"%s\" impersonates another identity (%s), which acr-doctor does not support; use a context without it."),
					 uname, as_keys[i]);
				return field_error(err, AD_EUNSUPP, f, n, what);
			}
		}
		n = ymap_get(f, b, "username");
		if (!n)
			n = ymap_get(f, b, "password");
		if (yscalar(n)) {
			snprintf(what, sizeof what,
				 _("user \"%s\" signs in with a username and password, which Kubernetes no longer accepts (removed in 1.19) and acr-doctor does not support."),
				 uname);
			return field_error(err, AD_EUNSUPP, f, n, what);
		}
	}
	if ((rc = pem_field(f, b, "client-certificate", "client-certificate-data",
			    uname, "CERTIFICATE", 0, &k->cert_pem, err)) ||
	    (rc = pem_field(f, b, "client-key", "client-key-data", uname,
			    "PRIVATE KEY", 1, &k->key_pem, err)))
		return rc;
	if (!k->cert_pem != !k->key_pem) {
		snprintf(what, sizeof what,
			 k->cert_pem ?
			 _("user \"%s\" has a client certificate but no client key.") :
			 _("user \"%s\" has a client key but no client certificate."),
			 uname);
		return field_error(err, AD_EPARSE, f, u->item, what);
	}
	tok = ymap_str(f, b, "token");
	tf = ymap_str(f, b, "tokenFile");
	if (tok) {
		if (!(k->token = dup0(tok)))
			return oom(err);
	} else if (tf) {
		k->token_file = resolve_path(f, tf);
		if (!k->token_file) {
			snprintf(what, sizeof what,
				 _("tokenFile of \"%s\" is a relative file name, which a kubeconfig held in memory cannot have."),
				 uname);
			return field_error(err, AD_EPARSE, f,
					   ymap_get(f, b, "tokenFile"), what);
		}
	}
	n = ymap_get(f, b, "exec");
	if (n && (n->type != YAML_SCALAR_NODE || yscalar(n))) {
		if ((rc = parse_exec(k, f, n, err)))
			return rc;
	}
	if (k->token)
		k->kind = KUBECFG_AUTH_TOKEN;
	else if (k->token_file)
		k->kind = KUBECFG_AUTH_TOKEN_FILE;
	else if (k->exec)
		k->kind = KUBECFG_AUTH_EXEC;
	else if (k->cert_pem)
		k->kind = KUBECFG_AUTH_CERT;
	else
		k->kind = KUBECFG_AUTH_NONE;
	return 0;
}

static int resolve(struct kmerge *m, const char *want, struct kubecfg **out,
		   struct ad_error *err)
{
	struct kubecfg *k;
	struct kentry *c, *cl, *u;
	const char *name = want && *want ? want : m->current;
	const char *cname, *uname, *ns;
	yaml_node_t *b, *n;
	char list[300], what[400], nm[128];
	int rc;

	context_list(m, list, sizeof list);
	if (!name) {
		if (!m->ncontexts)
			return ad_error_set(err, AD_ENOTFOUND,
					    _("The kubeconfig (%s) has no contexts."),
					    m->sources);
		ad_error_set(err, AD_ENOTFOUND,
			     _("The kubeconfig (%s) sets no current-context; choose one with --context."),
			     m->sources);
		ad_error_detail(err, _("contexts: %s"), list);
		return AD_ENOTFOUND;
	}
	clean_copy(nm, sizeof nm, name);
	c = find_entry(m->contexts, m->ncontexts, name);
	if (!c) {
		ad_error_set(err, AD_ENOTFOUND,
			     _("The kubeconfig (%s) has no context named \"%s\"."),
			     m->sources, nm);
		if (*list)
			ad_error_detail(err, _("contexts: %s"), list);
		return AD_ENOTFOUND;
	}
	if (!c->body)
		return field_error(err, AD_EPARSE, c->file, c->item,
				   _("the context has no \"context\" mapping."));
	cname = ymap_str(c->file, c->body, "cluster");
	uname = ymap_str(c->file, c->body, "user");
	if (!cname) {
		snprintf(what, sizeof what,
			 _("context \"%s\" names no cluster."), nm);
		return field_error(err, AD_EPARSE, c->file, c->item, what);
	}
	cl = find_entry(m->clusters, m->nclusters, cname);
	if (!cl) {
		char cn[128];

		clean_copy(cn, sizeof cn, cname);
		return ad_error_set(err, AD_ENOTFOUND,
				    _("Context \"%s\" names cluster \"%s\", which the kubeconfig (%s) does not have."),
				    nm, cn, m->sources);
	}
	u = uname ? find_entry(m->users, m->nusers, uname) : NULL;
	if (uname && !u) {
		char un[128];

		clean_copy(un, sizeof un, uname);
		return ad_error_set(err, AD_ENOTFOUND,
				    _("Context \"%s\" names user \"%s\", which the kubeconfig (%s) does not have."),
				    nm, un, m->sources);
	}

	k = kubecfg_alloc();
	if (!k)
		return oom(err);
	ns = ymap_str(c->file, c->body, "namespace");
	k->ns_set = ns != NULL;
	k->source = dup0(c->file->path ? c->file->path : "(memory)");
	k->context = dup0(name);
	k->cluster = dup0(cname);
	k->user = dup0(uname ? uname : "");
	k->ns = dup0(ns ? ns : "default");
	if (k->user)
		clean_copy(k->user_msg, sizeof k->user_msg, k->user);
	if (!k->source || !k->context || !k->cluster || !k->user || !k->ns ||
	    list_names(m, k)) {
		kubecfg_free(k);
		return oom(err);
	}

	/* The cluster. */
	{
		char cn[128];
		const char *server, *cad;

		clean_copy(cn, sizeof cn, cname);
		b = cl->body;
		if (!b) {
			snprintf(what, sizeof what,
				 _("cluster \"%s\" has no \"cluster\" mapping."), cn);
			rc = field_error(err, AD_EPARSE, cl->file, cl->item, what);
			goto fail;
		}
		n = ymap_get(cl->file, b, "insecure-skip-tls-verify");
		if (ybool(n)) {
			snprintf(what, sizeof what,
				 _("cluster \"%s\" sets insecure-skip-tls-verify; acr-doctor always verifies the API server's certificate. Remove the setting and give the cluster's CA (certificate-authority-data)."),
				 cn);
			rc = field_error(err, AD_EUNSUPP, cl->file, n, what);
			goto fail;
		}
		n = ymap_get(cl->file, b, "server");
		server = yscalar(n);
		if (!server) {
			snprintf(what, sizeof what,
				 _("cluster \"%s\" has no server."), cn);
			rc = field_error(err, AD_EPARSE, cl->file, cl->item, what);
			goto fail;
		}
		rc = check_server(cl->file, n, cn, server, &k->server, &k->host,
				  err);
		if (rc)
			goto fail;
		rc = pem_field(cl->file, b, "certificate-authority",
			       "certificate-authority-data", cn, "CERTIFICATE",
			       0, &k->ca_pem, err);
		if (rc)
			goto fail;
		cad = ymap_str(cl->file, b, "certificate-authority-data");
		if (cad && !(k->ca_b64 = dup0(cad))) {
			rc = oom(err);
			goto fail;
		}
	}

	/* The user. */
	if (u && (rc = resolve_user(k, u, err)))
		goto fail;
	switch (k->kind) {
	case KUBECFG_AUTH_NONE:
		snprintf(k->label, sizeof k->label, "kubeconfig (anonymous)");
		break;
	case KUBECFG_AUTH_CERT:
		snprintf(k->label, sizeof k->label, "kubeconfig client certificate");
		break;
	case KUBECFG_AUTH_TOKEN:
		snprintf(k->label, sizeof k->label, "kubeconfig token");
		break;
	case KUBECFG_AUTH_TOKEN_FILE:
		snprintf(k->label, sizeof k->label, "kubeconfig tokenFile");
		break;
	case KUBECFG_AUTH_EXEC: {
		char cmd[64];
		const char *base = strrchr(k->exec->command, '/');

		clean_copy(cmd, sizeof cmd, base ? base + 1 : k->exec->command);
		snprintf(k->label, sizeof k->label, "kubeconfig exec %s", cmd);
		break;
	}
	}
	*out = k;
	return 0;
fail:
	kubecfg_free(k);
	return rc;
}

/* ---- loading ---------------------------------------------------------- */

int kubecfg_load(const char *path, const char *context, struct kubecfg **out,
		 struct ad_error *err)
{
	struct kmerge m = { 0 };
	const char *env = getenv("KUBECONFIG");
	int rc = 0;

	*out = NULL;
	if (path && *path) {
		rc = load_path(&m, path, 0, err);
	} else if (env && *env) {
		char *list = dup0(env), *save = NULL, *tok;
		size_t count = 0;

		if (!list)
			return oom(err);
		for (tok = strtok_r(list, ":", &save); tok && !rc;
		     tok = strtok_r(NULL, ":", &save)) {
			int seen = 0;

			for (size_t i = 0; i < m.nfiles; i++)
				if (m.files[i]->path && !strcmp(m.files[i]->path, tok))
					seen = 1;
			if (seen)
				continue;
			if (++count > KC_MAX_FILES) {
				rc = ad_error_set(err, AD_EINVAL,
						  _("KUBECONFIG lists more than %d files."),
						  KC_MAX_FILES);
				break;
			}
			rc = load_path(&m, tok, 1, err);
		}
		free(list);
		if (!rc && !m.nfiles)
			rc = ad_error_set(err, AD_ENOTFOUND,
					  _("None of the files in KUBECONFIG exists."));
	} else {
		const char *home = getenv("HOME");
		char buf[PATH_MAX];

		if (!home || !*home)
			return ad_error_set(err, AD_ENOTFOUND,
					    _("No kubeconfig: KUBECONFIG and HOME are not set."));
		if ((size_t)snprintf(buf, sizeof buf, "%s/.kube/config", home) >=
		    sizeof buf)
			return ad_error_set(err, AD_EINVAL, _("HOME is too long."));
		rc = load_path(&m, buf, 0, err);
	}
	if (!rc)
		rc = resolve(&m, context, out, err);
	kmerge_free(&m);
	return rc;
}

int kubecfg_from_yaml(const char *yaml, size_t len, const char *context,
		      struct kubecfg **out, struct ad_error *err)
{
	struct kmerge m = { 0 };
	struct kfile *f;
	int rc;

	*out = NULL;
	if (!yaml)
		return ad_error_set(err, AD_EINVAL, _("No kubeconfig text."));
	if (len > KC_MAX_FILE)
		return ad_error_set(err, AD_EPARSE,
				    _("The kubeconfig is larger than %u bytes."),
				    KC_MAX_FILE);
	snprintf(m.sources, sizeof m.sources, "%s", _("in memory"));
	f = add_file(&m);
	if (!f)
		return oom(err);
	rc = parse_doc(f, yaml, len, err);
	if (!rc)
		rc = merge_file(&m, f, err);
	if (!rc)
		rc = resolve(&m, context, out, err);
	kmerge_free(&m);
	return rc;
}

int kubecfg_from_arm(const char *json, size_t len, const char *context,
		     struct kubecfg **out, struct ad_error *err)
{
	cJSON *root;
	const cJSON *list, *first;
	const char *b64;
	char *yaml;
	size_t ylen = 0;
	int rc;

	*out = NULL;
	root = json ? jsonu_parse(json, len) : NULL;
	if (!root)
		return ad_error_set(err, AD_EPARSE,
				    _("The cluster credential answer from Azure is not valid JSON."));
	list = jsonu_array(root, "kubeconfigs");
	first = list ? cJSON_GetArrayItem(list, 0) : NULL;
	b64 = first ? jsonu_member_str(first, "value") : NULL;
	if (!b64) {
		cJSON_Delete(root);
		return ad_error_set(err, AD_EPARSE,
				    _("The cluster credential answer from Azure holds no kubeconfig."));
	}
	yaml = b64_decode(b64, strlen(b64), &ylen);
	if (!yaml) {
		cJSON_Delete(root);
		return ad_error_set(err, AD_EPARSE,
				    _("The kubeconfig in the cluster credential answer is not valid base64."));
	}
	rc = kubecfg_from_yaml(yaml, ylen, context, out, err);
	explicit_bzero(yaml, ylen);
	free(yaml);
	/* The answer holds tokens or keys: wipe our copy of it. */
	if (first) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(first, "value");

		if (cJSON_IsString(v) && v->valuestring)
			explicit_bzero(v->valuestring, strlen(v->valuestring));
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- accessors -------------------------------------------------------- */

const char *kubecfg_context(const struct kubecfg *k) { return k->context; }
const char *kubecfg_cluster(const struct kubecfg *k) { return k->cluster; }
const char *kubecfg_user(const struct kubecfg *k) { return k->user; }
const char *kubecfg_namespace(const struct kubecfg *k) { return k->ns; }
int kubecfg_namespace_set(const struct kubecfg *k) { return k->ns_set; }
const char *kubecfg_server(const struct kubecfg *k) { return k->server; }
const char *kubecfg_server_host(const struct kubecfg *k) { return k->host; }
const char *kubecfg_ca_pem(const struct kubecfg *k) { return k->ca_pem; }
const char *kubecfg_source(const struct kubecfg *k) { return k->source; }

enum kubecfg_auth_kind kubecfg_auth_kind(const struct kubecfg *k)
{
	return k->kind;
}

const char *kubecfg_exec_command(const struct kubecfg *k)
{
	return k->exec ? k->exec->command : NULL;
}

size_t kubecfg_ncontexts(const struct kubecfg *k)
{
	return k->nctx;
}

const char *kubecfg_context_at(const struct kubecfg *k, size_t i)
{
	return i < k->nctx ? k->ctx_names[i] : NULL;
}

const char *kubecfg_context_cluster_at(const struct kubecfg *k, size_t i)
{
	return i < k->nctx ? k->ctx_clusters[i] : NULL;
}

void kubecfg_set_clock(struct kubecfg *k, time_t (*now)(void *arg), void *arg)
{
	pthread_mutex_lock(&k->lock);
	k->now = now ? now : default_now;
	k->now_arg = arg;
	pthread_mutex_unlock(&k->lock);
}

void kubecfg_set_exec_timeout(struct kubecfg *k, int ms)
{
	pthread_mutex_lock(&k->lock);
	k->exec_timeout_ms = ms > 0 ? ms : 60000;
	pthread_mutex_unlock(&k->lock);
}

void kubecfg_set_cancel(struct kubecfg *k, ad_cancel_flag *cancel)
{
	pthread_mutex_lock(&k->lock);
	k->cancel = cancel;
	pthread_mutex_unlock(&k->lock);
}

void kubecfg_set_plugin_output(struct kubecfg *k,
			       void (*line)(void *arg, const char *text),
			       void *arg)
{
	pthread_mutex_lock(&k->lock);
	k->err_line = line;
	k->err_arg = arg;
	pthread_mutex_unlock(&k->lock);
}

/* ---- AKS -------------------------------------------------------------- */

int kubecfg_aks_guess(const struct kubecfg *k, struct kubecfg_aks *out)
{
	/* The API server suffixes of AKS per cloud. */
	static const char *const suffixes[] = {
		".azmk8s.io",                          /* AzureCloud */
		".cx.prod.service.azk8s.cn",           /* AzureChinaCloud */
		".cx.aks.containerservice.azure.us",   /* AzureUSGovernment */
	};
	const char *h = k->host, *suf = NULL;
	char buf[256], *labels[16];
	size_t nl = 0, hl = strlen(h);

	memset(out, 0, sizeof *out);
	clean_copy(out->cluster, sizeof out->cluster, k->cluster);
	clean_copy(out->host, sizeof out->host, h);
	/* clusterUser_<group>_<cluster> / clusterAdmin_<group>_<cluster> */
	{
		const char *u = k->user, *rest = NULL;
		size_t ul = strlen(u), cl = strlen(k->cluster);

		if (!strncmp(u, "clusterUser_", 12))
			rest = u + 12;
		else if (!strncmp(u, "clusterAdmin_", 13))
			rest = u + 13;
		if (rest && cl && ul > (size_t)(rest - u) + cl + 1 &&
		    !strcmp(u + ul - cl, k->cluster) && u[ul - cl - 1] == '_') {
			size_t gl = ul - cl - 1 - (size_t)(rest - u);

			if (gl && gl < sizeof out->resource_group) {
				memcpy(buf, rest, gl);
				buf[gl] = '\0';
				clean_copy(out->resource_group,
					   sizeof out->resource_group, buf);
			}
		}
	}
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);

		if (hl > sl && !strcasecmp(h + hl - sl, suffixes[i])) {
			suf = h + hl - sl;
			break;
		}
	}
	if (!suf || (size_t)(suf - h) >= sizeof buf)
		return 0;
	memcpy(buf, h, (size_t)(suf - h));
	buf[suf - h] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, ".", &save);
	     t && nl < sizeof labels / sizeof labels[0];
	     t = strtok_r(NULL, ".", &save))
		labels[nl++] = t;
	/* <first>[.<guid>].(hcp|privatelink).<region> */
	if (nl < 3)
		return 0;
	if (strcasecmp(labels[nl - 2], "hcp") &&
	    strcasecmp(labels[nl - 2], "privatelink"))
		return 0;
	out->looks_aks = 1;
	out->private_cluster = !strcasecmp(labels[nl - 2], "privatelink");
	clean_copy(out->region, sizeof out->region, labels[nl - 1]);
	{
		/* <dnsprefix>-<hash>: the hash is 8 hex digits. */
		char *first = labels[0], *dash = strrchr(first, '-');

		if (dash && strlen(dash + 1) == 8 &&
		    strspn(dash + 1, "0123456789abcdefABCDEF") == 8)
			*dash = '\0';
		clean_copy(out->dns_prefix, sizeof out->dns_prefix, first);
	}
	return 1;
}

/* ---- credentials at send time ------------------------------------------ */

static void retire(struct kubecfg *k, char *s)
{
	struct retired *r;

	if (!s)
		return;
	r = malloc(sizeof *r);
	if (!r) {
		/* Cannot keep it alive safely: leak it rather than free a
		 * string a request may still read. */
		return;
	}
	r->s = s;
	r->next = k->retired;
	k->retired = r;
}

static int exec_refresh(struct kubecfg *k, struct ad_error *err);

static int token_file_refresh(struct kubecfg *k, struct ad_error *err)
{
	char *text = NULL;
	size_t len = 0, a = 0;
	int rc;

	rc = read_file(k->token_file, KC_MAX_SMALL, &text, &len, err);
	if (rc) {
		char msg[sizeof err->msg];

		snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
		return ad_error_set(err, AD_EIO,
				    _("The token file of kubeconfig user \"%s\": %s"),
				    k->user_msg, msg);
	}
	while (len && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	while (a < len && isspace((unsigned char)text[a]))
		a++;
	if (a == len) {
		char tf[256];

		clean_copy(tf, sizeof tf, k->token_file);
		zfree(text);
		return ad_error_set(err, AD_EPARSE,
				    _("The token file %s of kubeconfig user \"%s\" is empty."),
				    tf, k->user_msg);
	}
	if (a)
		memmove(text, text + a, len - a + 1);
	if (k->dyn_token && !strcmp(k->dyn_token, text)) {
		zfree(text);
	} else {
		retire(k, k->dyn_token);
		k->dyn_token = text;
	}
	k->dyn_at = k->now(k->now_arg);
	k->dyn_valid = 1;
	return 0;
}

int kubecfg_auth(struct kubecfg *k, struct http_request *req,
		 struct ad_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&k->lock);
	req->ca_pem = k->ca_pem;
	req->client_cert_pem = k->cert_pem;
	req->client_key_pem = k->key_pem;
	req->bearer = NULL;
	req->auth_label = k->label;
	switch (k->kind) {
	case KUBECFG_AUTH_NONE:
	case KUBECFG_AUTH_CERT:
		break;
	case KUBECFG_AUTH_TOKEN:
		req->bearer = k->token;
		break;
	case KUBECFG_AUTH_TOKEN_FILE: {
		time_t now = k->now(k->now_arg);

		if (!k->dyn_valid || now - k->dyn_at >= KC_TOKEN_FILE_TTL ||
		    now < k->dyn_at)
			rc = token_file_refresh(k, err);
		if (!rc)
			req->bearer = k->dyn_token;
		break;
	}
	case KUBECFG_AUTH_EXEC: {
		time_t now = k->now(k->now_arg);

		if (!k->dyn_valid ||
		    (k->dyn_exp && now >= k->dyn_exp - KC_EXPIRY_SKEW))
			rc = exec_refresh(k, err);
		if (!rc) {
			if (k->dyn_token)
				req->bearer = k->dyn_token;
			if (k->dyn_cert) {
				req->client_cert_pem = k->dyn_cert;
				req->client_key_pem = k->dyn_key;
			}
		}
		break;
	}
	}
	pthread_mutex_unlock(&k->lock);
	return rc;
}

void kubecfg_invalidate_token(struct kubecfg *k, const char *token)
{
	pthread_mutex_lock(&k->lock);
	/* Another thread may have renewed it already: keep the new one. */
	if (!token || !k->dyn_token || strcmp(k->dyn_token, token) == 0)
		k->dyn_valid = 0;
	pthread_mutex_unlock(&k->lock);
}

void kubecfg_invalidate(struct kubecfg *k)
{
	pthread_mutex_lock(&k->lock);
	k->dyn_valid = 0;
	pthread_mutex_unlock(&k->lock);
}

/* ---- exec credential plugins ------------------------------------------ */

#define KC_V1      "client.authentication.k8s.io/v1"
#define KC_V1BETA1 "client.authentication.k8s.io/v1beta1"

static int exec_strings(struct kfile *f, yaml_node_t *list, char ***out,
			size_t *n, const char *uname, struct ad_error *err)
{
	char what[300];

	if (!list || (list->type == YAML_SCALAR_NODE && !yscalar(list)))
		return 0;
	if (list->type != YAML_SEQUENCE_NODE)
		goto bad;
	if (list->data.sequence.items.top - list->data.sequence.items.start >
	    KC_MAX_ARGS)
		goto bad;
	*out = calloc((size_t)(list->data.sequence.items.top -
			       list->data.sequence.items.start) + 1,
		      sizeof **out);
	if (!*out)
		return oom(err);
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *item = ynode(f, *it);
		const char *v;

		if (!item || item->type != YAML_SCALAR_NODE)
			goto bad;
		v = (const char *)item->data.scalar.value;
		if (strlen(v) != item->data.scalar.length)
			goto bad;
		if (!((*out)[(*n)++] = dup0(v)))
			return oom(err);
	}
	return 0;
bad:
	snprintf(what, sizeof what,
		 _("the exec args of user \"%s\" must be a list of strings."),
		 uname);
	return field_error(err, AD_EPARSE, f, list, what);
}

static int exec_env(struct kfile *f, yaml_node_t *list, struct kexec *x,
		    const char *uname, struct ad_error *err)
{
	char what[300];

	if (!list || (list->type == YAML_SCALAR_NODE && !yscalar(list)))
		return 0;
	if (list->type != YAML_SEQUENCE_NODE ||
	    list->data.sequence.items.top - list->data.sequence.items.start >
	    KC_MAX_ARGS)
		goto bad;
	x->env = calloc((size_t)(list->data.sequence.items.top -
				 list->data.sequence.items.start) + 1,
			sizeof *x->env);
	if (!x->env)
		return oom(err);
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *item = ynode(f, *it);
		const char *name = ymap_str(f, item, "name");
		yaml_node_t *vn = ymap_get(f, item, "value");
		const char *value = vn && vn->type == YAML_SCALAR_NODE ?
			(const char *)vn->data.scalar.value : NULL;
		size_t len;

		if (!name || !*name || strchr(name, '=') || !value ||
		    strlen(value) != vn->data.scalar.length)
			goto bad;
		len = strlen(name) + strlen(value) + 2;
		x->env[x->nenv] = malloc(len);
		if (!x->env[x->nenv])
			return oom(err);
		snprintf(x->env[x->nenv++], len, "%s=%s", name, value);
	}
	return 0;
bad:
	snprintf(what, sizeof what,
		 _("the exec env of user \"%s\" must be a list of name/value pairs."),
		 uname);
	return field_error(err, AD_EPARSE, f, list, what);
}

static int parse_exec(struct kubecfg *k, struct kfile *f, yaml_node_t *xn,
		      struct ad_error *err)
{
	struct kexec *x;
	const char *api, *cmd, *mode, *hint;
	char what[400], uname[128];
	int rc;

	snprintf(uname, sizeof uname, "%s", k->user_msg);
	if (xn->type != YAML_MAPPING_NODE) {
		snprintf(what, sizeof what,
			 _("the exec section of user \"%s\" must be a mapping."),
			 uname);
		return field_error(err, AD_EPARSE, f, xn, what);
	}
	api = ymap_str(f, xn, "apiVersion");
	cmd = ymap_str(f, xn, "command");
	mode = ymap_str(f, xn, "interactiveMode");
	hint = ymap_str(f, xn, "installHint");
	if (!cmd) {
		snprintf(what, sizeof what,
			 _("the exec section of user \"%s\" has no command."),
			 uname);
		return field_error(err, AD_EPARSE, f, xn, what);
	}
	if (!api || (strcmp(api, KC_V1) && strcmp(api, KC_V1BETA1))) {
		char av[80];

		clean_copy(av, sizeof av, api ? api : "");
		snprintf(what, sizeof what,
			 _("the exec section of user \"%s\" has apiVersion \"%s\"; supported are %s and %s."),
			 uname, av, KC_V1, KC_V1BETA1);
		return field_error(err, AD_EUNSUPP, f, xn, what);
	}
	/* v1 requires interactiveMode, as kubectl does. */
	if (!strcmp(api, KC_V1) && !mode) {
		snprintf(what, sizeof what,
			 _("the exec section of user \"%s\" (%s) must set interactiveMode."),
			 uname, KC_V1);
		return field_error(err, AD_EPARSE, f, xn, what);
	}
	if (mode && strcmp(mode, "Never") && strcmp(mode, "IfAvailable") &&
	    strcmp(mode, "Always")) {
		char mv[40];

		clean_copy(mv, sizeof mv, mode);
		snprintf(what, sizeof what,
			 _("the exec section of user \"%s\" has an unknown interactiveMode \"%s\" (Never, IfAvailable or Always)."),
			 uname, mv);
		return field_error(err, AD_EPARSE, f, xn, what);
	}
	x = calloc(1, sizeof *x);
	if (!x)
		return oom(err);
	k->exec = x;
	x->interactive_always = mode && !strcmp(mode, "Always");
	x->provide_cluster_info = ybool(ymap_get(f, xn, "provideClusterInfo"));
	if (!(x->api_version = dup0(api)) || !(x->command = dup0(cmd)) ||
	    (hint && !(x->install_hint = dup0(hint))) ||
	    (f->dir && !(x->dir = dup0(f->dir))))
		return oom(err);
	if ((rc = exec_strings(f, ymap_get(f, xn, "args"), &x->args, &x->nargs,
			       uname, err)) ||
	    (rc = exec_env(f, ymap_get(f, xn, "env"), x, uname, err)))
		return rc;
	return 0;
}

static char *b64_encode(const char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(n / 3 * 4 + 5);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* RFC 3339 ("2026-12-03T10:00:00Z", fractions and offsets allowed). */
static int parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, n = 0;
	long off = 0;
	const char *p;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return -1;
	if (sscanf(s + 11, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 ||
		    oh > 23 || om > 59)
			return -1;
		off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t - off;
	return 0;
}

/* Plugin text for a message: one line, printable, bounded, and long
 * token-like runs replaced, in case a plugin prints a credential. */
static void plugin_text(char *dst, size_t len, const char *src, size_t n)
{
	size_t o = 0, i = 0;
	int space = 0;

	while (i < n && o + 12 < len) {
		unsigned char c = (unsigned char)src[i];
		size_t run = 0;

		/* Terminal escapes (colours): dropped whole. */
		if (c == 0x1b && i + 1 < n && src[i + 1] == '[') {
			i += 2;
			while (i < n && ((unsigned char)src[i] < 0x40 ||
					 (unsigned char)src[i] > 0x7e))
				i++;
			i++;
			continue;
		}

		while (i + run < n &&
		       (isalnum((unsigned char)src[i + run]) ||
			strchr("._~+/=-", src[i + run])) && src[i + run])
			run++;
		if (run >= 32) {
			o += (size_t)snprintf(dst + o, len - o, "[redacted]");
			i += run;
			space = 0;
			continue;
		}
		if (run) {
			for (size_t j = 0; j < run && o + 1 < len; j++)
				dst[o++] = src[i + j];
			i += run;
			space = 0;
			continue;
		}
		i++;
		if (c <= 0x20 || c >= 0x7f) {
			if (!space && o)
				dst[o++] = ' ';
			space = 1;
			continue;
		}
		dst[o++] = (char)c;
		space = 0;
	}
	while (o && dst[o - 1] == ' ')
		o--;
	dst[o < len ? o : len - 1] = '\0';
}

/* Where the command is: a name with '/' is a path (relative to the
 * kubeconfig's directory), else it is looked up in PATH. */
static int find_command(const struct kexec *x, char *out, size_t len)
{
	const char *path, *p;
	struct stat st;

	if (strchr(x->command, '/')) {
		if (x->command[0] == '/' || !x->dir)
			snprintf(out, len, "%s", x->command);
		else
			snprintf(out, len, "%s/%s", x->dir, x->command);
		return stat(out, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; ) {
		const char *end = strchr(p, ':');
		size_t dl = end ? (size_t)(end - p) : strlen(p);

		if ((size_t)snprintf(out, len, "%.*s%s%s", (int)dl, dl ? p : ".",
				     "/", x->command) < len &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return 0;
		if (!end)
			break;
		p = end + 1;
	}
	return -1;
}

static int env_overridden(const struct kexec *x, const char *entry)
{
	size_t nl = strcspn(entry, "=");

	if (!strncmp(entry, "KUBERNETES_EXEC_INFO=", 21))
		return 1;
	for (size_t i = 0; i < x->nenv; i++) {
		size_t l = strcspn(x->env[i], "=");

		if (l == nl && !strncmp(x->env[i], entry, nl))
			return 1;
	}
	return 0;
}

/* What the plugin is told in KUBERNETES_EXEC_INFO. */
static char *exec_info(struct kubecfg *k)
{
	cJSON *root = cJSON_CreateObject(), *spec, *cl;
	char *text = NULL, *env = NULL;
	size_t n;

	if (!root)
		return NULL;
	cJSON_AddStringToObject(root, "kind", "ExecCredential");
	cJSON_AddStringToObject(root, "apiVersion", k->exec->api_version);
	spec = cJSON_AddObjectToObject(root, "spec");
	/* No terminal: acr-doctor runs plugins from a worker, under a
	 * full-screen UI. */
	if (spec)
		cJSON_AddBoolToObject(spec, "interactive", 0);
	if (spec && k->exec->provide_cluster_info) {
		cl = cJSON_AddObjectToObject(spec, "cluster");
		if (cl) {
			cJSON_AddStringToObject(cl, "server", k->server);
			if (k->ca_pem) {
				char *b = k->ca_b64 ? NULL :
					b64_encode(k->ca_pem, strlen(k->ca_pem));

				cJSON_AddStringToObject(cl, "certificate-authority-data",
							k->ca_b64 ? k->ca_b64 :
							b ? b : "");
				free(b);
			}
		}
	}
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return NULL;
	n = strlen(text) + sizeof "KUBERNETES_EXEC_INFO=";
	env = malloc(n);
	if (env)
		snprintf(env, n, "KUBERNETES_EXEC_INFO=%s", text);
	cJSON_free(text);
	return env;
}

struct run {
	char *out;             /* stdout: holds credentials */
	size_t outlen;
	char errbuf[KC_MAX_ERR];
	size_t errlen;
	size_t errsent;        /* stderr bytes already passed to err_line */
	void (*err_line)(void *arg, const char *line);
	void *err_arg;
	int status;
	int exec_errno;        /* the exec itself failed */
};

/* Pass each complete stderr line (all that is left when final), cleaned,
 * to the caller's callback: device-code prompts reach the screen. */
static void err_lines(struct run *r, int final)
{
	while (r->err_line && r->errsent < r->errlen) {
		const char *start = r->errbuf + r->errsent;
		const char *nl = memchr(start, '\n', r->errlen - r->errsent);
		size_t n = nl ? (size_t)(nl - start) : r->errlen - r->errsent;
		char line[512];

		if (!nl && !final)
			break;
		plugin_text(line, sizeof line, start, n);
		r->errsent += n + (nl ? 1 : 0);
		if (*line)
			r->err_line(r->err_arg, line);
	}
}

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void stop_child(pid_t pid)
{
	int st;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Fork and exec path with argv/envp, stdin /dev/null, in its own process
 * group; collect stdout and stderr until it exits.  0, AD_ETIMEOUT,
 * AD_ECANCEL, AD_EIO (too much output, system failure). */
static int run_plugin(const char *path, char **argv, char **envp,
		      int timeout_ms, ad_cancel_flag *cancel, struct run *r)
{
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, stp[2] = { -1, -1 };
	int devnull, rc = 0, open_out = 1, open_err = 1;
	long deadline = mono_ms() + timeout_ms;
	size_t cap = 4096;
	pid_t pid;

	r->out = malloc(cap);
	if (!r->out)
		return AD_ENOMEM;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
	    pipe2(stp, O_CLOEXEC)) {
		rc = AD_EIO;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = AD_EIO;
		goto out;
	}
	if (pid == 0) {
		/* Child: only async-signal-safe calls from here. */
		sigset_t none;
		struct sigaction dfl;
		int e;

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGPIPE, &dfl, NULL);
		if (dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(errp[1], 2) < 0)
			_exit(126);
#ifdef SYS_close_range
		/* Everything else the process has open (sockets, files)
		 * stays out of the plugin; stp[1] is CLOEXEC, kept for the
		 * exec error. */
		if (stp[1] > 3)
			syscall(SYS_close_range, 3u, (unsigned)stp[1] - 1, 0u);
		syscall(SYS_close_range, (unsigned)stp[1] + 1, ~0u, 0u);
#endif
		execve(path, argv, envp);
		e = errno;
		if (write(stp[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	close(stp[1]);
	out[1] = errp[1] = stp[1] = -1;

	while (open_out || open_err) {
		struct pollfd pf[2];
		int np = 0, left = (int)(deadline - mono_ms());

		if (ad_cancelled(cancel)) {
			stop_child(pid);
			rc = AD_ECANCEL;
			goto out;
		}
		if (left <= 0) {
			stop_child(pid);
			rc = AD_ETIMEOUT;
			goto out;
		}
		if (open_out)
			pf[np++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (open_err)
			pf[np++] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
		if (poll(pf, (nfds_t)np, left < 100 ? left : 100) < 0) {
			if (errno == EINTR)
				continue;
			stop_child(pid);
			rc = AD_EIO;
			goto out;
		}
		for (int i = 0; i < np; i++) {
			char buf[4096];
			ssize_t n;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pf[i].fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (pf[i].fd == out[0])
					open_out = 0;
				else
					open_err = 0;
				continue;
			}
			if (pf[i].fd == errp[0]) {
				size_t room = sizeof r->errbuf - 1 - r->errlen;
				size_t take = (size_t)n < room ? (size_t)n : room;

				memcpy(r->errbuf + r->errlen, buf, take);
				r->errlen += take;
				r->errbuf[r->errlen] = '\0';
				err_lines(r, 0);
				continue;
			}
			if (r->outlen + (size_t)n + 1 > KC_MAX_OUT) {
				explicit_bzero(buf, sizeof buf);
				stop_child(pid);
				rc = AD_EIO;
				goto out;
			}
			if (r->outlen + (size_t)n + 1 > cap) {
				size_t ncap = cap * 2;
				char *nb;

				while (ncap < r->outlen + (size_t)n + 1)
					ncap *= 2;
				nb = malloc(ncap);
				if (!nb) {
					explicit_bzero(buf, sizeof buf);
					stop_child(pid);
					rc = AD_ENOMEM;
					goto out;
				}
				memcpy(nb, r->out, r->outlen);
				explicit_bzero(r->out, cap);
				free(r->out);
				r->out = nb;
				cap = ncap;
			}
			memcpy(r->out + r->outlen, buf, (size_t)n);
			r->outlen += (size_t)n;
			explicit_bzero(buf, sizeof buf);
		}
	}
	/* Both pipes closed: wait for the exit, still bounded. */
	for (;;) {
		pid_t w = waitpid(pid, &r->status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000000L };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			rc = AD_EIO;
			goto out;
		}
		if (ad_cancelled(cancel)) {
			stop_child(pid);
			rc = AD_ECANCEL;
			goto out;
		}
		if (mono_ms() >= deadline) {
			stop_child(pid);
			rc = AD_ETIMEOUT;
			goto out;
		}
		nanosleep(&ts, NULL);
	}
	/* The group too: a helper it left behind goes with it. */
	kill(-pid, SIGKILL);
	{
		int e;

		if (read(stp[0], &e, sizeof e) == (ssize_t)sizeof e)
			r->exec_errno = e;
	}
out:
	err_lines(r, 1);      /* a last line without its newline */
	if (r->out)
		r->out[r->outlen] = '\0';
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (stp[i] >= 0)
			close(stp[i]);
	}
	return rc;
}

static void wipe_json_str(cJSON *obj, const char *key)
{
	cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

	if (cJSON_IsString(v) && v->valuestring)
		explicit_bzero(v->valuestring, strlen(v->valuestring));
}

/* Take the ExecCredential the plugin printed. */
static int take_credential(struct kubecfg *k, const char *cmd,
			   const char *text, size_t len, struct ad_error *err)
{
	cJSON *root = jsonu_parse(text, len), *status;
	const char *kind, *api, *tok, *cert, *key, *exp;
	time_t expiry = 0;
	char *ntok = NULL, *ncert = NULL, *nkey = NULL;
	int rc = 0;

	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ad_error_set(err, AD_EPARSE,
				    _("The credential plugin %s of kubeconfig user \"%s\" printed something that is not an ExecCredential (not JSON)."),
				    cmd, k->user_msg);
	}
	status = cJSON_GetObjectItemCaseSensitive(root, "status");
	kind = jsonu_str(root, "kind");
	api = jsonu_str(root, "apiVersion");
	tok = jsonu_str(root, "status.token");
	cert = jsonu_str(root, "status.clientCertificateData");
	key = jsonu_str(root, "status.clientKeyData");
	exp = jsonu_str(root, "status.expirationTimestamp");
	if (!kind || strcmp(kind, "ExecCredential")) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("The credential plugin %s of kubeconfig user \"%s\" printed JSON that is not an ExecCredential."),
				  cmd, k->user_msg);
	} else if (!api || strcmp(api, k->exec->api_version)) {
		char av[80];

		clean_copy(av, sizeof av, api ? api : "");
		rc = ad_error_set(err, AD_EPARSE,
				  _("The credential plugin %s of kubeconfig user \"%s\" answered with apiVersion \"%s\", but the kubeconfig asks for %s."),
				  cmd, k->user_msg, av, k->exec->api_version);
	} else if (!cJSON_IsObject(status) ||
		   (!(tok && *tok) && !(cert && key))) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("The credential plugin %s of kubeconfig user \"%s\" gave neither a token nor a client certificate and key."),
				  cmd, k->user_msg);
	} else if (!cert != !key) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("The credential plugin %s of kubeconfig user \"%s\" gave a client certificate without its key, or a key without its certificate."),
				  cmd, k->user_msg);
	} else if (cert && (!strstr(cert, "-----BEGIN ") ||
			    !strstr(key, "PRIVATE KEY"))) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("The credential plugin %s of kubeconfig user \"%s\" gave a client certificate or key that is not PEM."),
				  cmd, k->user_msg);
	} else if (exp && parse_rfc3339(exp, &expiry)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("The credential plugin %s of kubeconfig user \"%s\" gave an expirationTimestamp that is not an RFC 3339 time."),
				  cmd, k->user_msg);
	} else if ((tok && *tok && !(ntok = dup0(tok))) ||
		   (cert && (!(ncert = dup0(cert)) || !(nkey = dup0(key))))) {
		rc = oom(err);
	}
	wipe_json_str(status, "token");
	wipe_json_str(status, "clientKeyData");
	cJSON_Delete(root);
	if (rc) {
		zfree(ntok);
		free(ncert);
		zfree(nkey);
		return rc;
	}
	retire(k, k->dyn_token);
	retire(k, k->dyn_cert);
	retire(k, k->dyn_key);
	k->dyn_token = ntok;
	k->dyn_cert = ncert;
	k->dyn_key = nkey;
	k->dyn_exp = expiry;
	k->dyn_at = k->now(k->now_arg);
	k->dyn_valid = 1;
	return 0;
}

/* Run the plugin and keep what it gives; called with k->lock held. */
static int exec_refresh(struct kubecfg *k, struct ad_error *err)
{
	struct kexec *x = k->exec;
	char path[PATH_MAX], cmd[96], hint[300] = "";
	char **argv = NULL, **envp = NULL, *info = NULL;
	size_t nenv = 0, e = 0;
	struct run r;
	int rc;

	memset(&r, 0, sizeof r);
	clean_copy(cmd, sizeof cmd, x->command);
	if (x->install_hint)
		plugin_text(hint, sizeof hint, x->install_hint,
			    strlen(x->install_hint));
	if (x->interactive_always)
		return ad_error_set(err, AD_EUNSUPP,
				    _("The credential plugin %s of kubeconfig user \"%s\" needs a terminal (interactiveMode: Always), which acr-doctor cannot give it; use a non-interactive login, e.g. `kubelogin convert-kubeconfig -l azurecli` after `az login`."),
				    cmd, k->user_msg);
	if (find_command(x, path, sizeof path)) {
		if (strchr(x->command, '/'))
			ad_error_set(err, AD_ENOTFOUND,
				     _("%s is not installed: kubeconfig user \"%s\" runs it to get its credentials, and there is no such file."),
				     cmd, k->user_msg);
		else
			ad_error_set(err, AD_ENOTFOUND,
				     _("%s is not installed: kubeconfig user \"%s\" runs it to get its credentials, and it is not in PATH."),
				     cmd, k->user_msg);
		if (*hint)
			ad_error_detail(err, "%s", hint);
		return AD_ENOTFOUND;
	}

	argv = calloc(x->nargs + 2, sizeof *argv);
	for (char **ev = environ; ev && *ev; ev++)
		nenv++;
	envp = calloc(nenv + x->nenv + 2, sizeof *envp);
	info = exec_info(k);
	if (!argv || !envp || !info) {
		rc = oom(err);
		goto out;
	}
	argv[0] = x->command;
	for (size_t i = 0; i < x->nargs; i++)
		argv[i + 1] = x->args[i];
	for (char **ev = environ; ev && *ev && e < nenv; ev++)
		if (!env_overridden(x, *ev))
			envp[e++] = *ev;
	for (size_t i = 0; i < x->nenv; i++)
		envp[e++] = x->env[i];
	envp[e++] = info;

	r.err_line = k->err_line;
	r.err_arg = k->err_arg;
	rc = run_plugin(path, argv, envp, k->exec_timeout_ms, k->cancel, &r);
	if (rc == AD_ETIMEOUT) {
		char said[400];

		rc = ad_error_set(err, AD_ETIMEOUT,
				  _("The credential plugin %s of kubeconfig user \"%s\" did not finish within %g s and was stopped."),
				  cmd, k->user_msg, k->exec_timeout_ms / 1000.0);
		ad_error_net(err, AD_NET_TIMEOUT);
		/* A plugin waiting for a sign-in says so on stderr. */
		plugin_text(said, sizeof said, r.errbuf, r.errlen);
		if (*said)
			ad_error_detail(err, _("%s said: %s"), cmd, said);
	} else if (rc == AD_ECANCEL) {
		rc = ad_error_set(err, AD_ECANCEL,
				  _("Cancelled while the credential plugin %s was running."),
				  cmd);
		ad_error_net(err, AD_NET_CANCELLED);
	} else if (rc == AD_ENOMEM) {
		rc = oom(err);
	} else if (rc) {
		rc = ad_error_set(err, AD_EIO,
				  _("The credential plugin %s of kubeconfig user \"%s\" could not be run, or printed more than %u bytes."),
				  cmd, k->user_msg, KC_MAX_OUT);
	} else if (r.exec_errno) {
		rc = ad_error_set(err, AD_EIO,
				  _("The credential plugin %s of kubeconfig user \"%s\" could not be started: %s."),
				  cmd, k->user_msg, strerror(r.exec_errno));
	} else if (WIFSIGNALED(r.status)) {
		rc = ad_error_set(err, AD_EIO,
				  _("The credential plugin %s of kubeconfig user \"%s\" was killed by signal %d."),
				  cmd, k->user_msg, WTERMSIG(r.status));
	} else if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		char said[400];

		rc = ad_error_set(err, AD_EIO,
				  _("The credential plugin %s of kubeconfig user \"%s\" failed (exit status %d)."),
				  cmd, k->user_msg,
				  WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1);
		plugin_text(said, sizeof said, r.errbuf, r.errlen);
		if (*said)
			ad_error_detail(err, _("%s said: %s"), cmd, said);
	} else {
		rc = take_credential(k, cmd, r.out, r.outlen, err);
	}
out:
	if (r.out) {
		explicit_bzero(r.out, r.outlen);
		free(r.out);
	}
	explicit_bzero(r.errbuf, sizeof r.errbuf);
	free(argv);
	free(envp);
	free(info);
	return rc;
}
