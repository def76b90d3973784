/* screen_ssh.c - the SSH questions as dialogs: an unknown host key
 * (y = trust this time, s = trust and save, n or Esc = no) and a key's
 * passphrase (typed hidden; Enter uses it, Esc skips the key). */
#include "config.h"
#include "screen_ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "curses.h"
#include "err.h"
#include "i18n.h"
#include "probe.h"
#include "probe_ssh.h"
#include "screen.h"
#include "session.h"
#include "sshask.h"
#include "textw.h"
#include "tree.h"
#include "widgets.h"
#include "world.h"

/* The questions of the current session's probe, and of the previous
 * one until that session is surely freed (ui_open_scenario frees the
 * old session after the new one is made). */
static struct sshask *ask_cur, *ask_prev;
/* The question on screen. */
static struct sshask_question shown;
static char pass[512];
static size_t passlen;

static void pass_clear(void)
{
	memset(pass, 0, sizeof pass);
	passlen = 0;
}

/* A new question channel becomes the current one (the previous one's
 * session is freed after the new session is made). */
static void ask_rotate(struct sshask *a)
{
	sshask_free(ask_prev);
	ask_prev = ask_cur;
	ask_cur = a;
}

/* The probe of ui's SSH options on w, to addr when given. */
static int attach(struct ui *ui, struct world *w, const char *node,
		  const char *addr, struct sshask **out, struct ad_error *err)
{
	struct node_probe *p = NULL;
	struct sshask *a;
	struct ssh_opts so;
	int rc;

	*out = NULL;
	if (ui->opt->ssh)
		so = *ui->opt->ssh;
	else
		ssh_opts_init(&so);
	if (addr && addr[0])
		snprintf(so.node, sizeof so.node, "%s", addr);
	if (strcmp(so.node, SSH_NODE_AUTO) == 0 ||
	    strcmp(so.node, SSH_NODE_PICK) == 0 || !so.node[0])
		return ad_error_set(err, AD_EINVAL, "%s",
			_("no node chosen for the SSH checks: give --ssh-node ADDRESS or pick one (s on the pods screen)"));
	a = sshask_new(&w->cancel);
	if (!a)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	sshask_attach(a, &so);
	if ((rc = probe_ssh_new(&so, &p, err)) != 0) {
		sshask_free(a);
		return rc;
	}
	/* The evidence names the node as Kubernetes does, and its address. */
	if (node && node[0])
		snprintf(p->node, sizeof p->node, "%.80s (%.40s)", node, so.node);
	p->cancel = &w->cancel;
	world_set_probe(w, p);
	*out = a;
	return 0;
}

int ui_ssh_attach(struct ui *ui, struct world *w, const char *node,
		  const char *addr, struct ad_error *err)
{
	struct sshask *a;
	int rc = attach(ui, w, node, addr, &a, err);

	if (rc == 0)
		ask_rotate(a);
	return rc;
}

struct session *ui_ssh_session_new(struct ui *ui, const char *name,
				   struct ad_error *err)
{
	struct tree *t = NULL;
	struct world *w = NULL;
	struct sshask *a = NULL;
	struct session *s;

	if (!ui->opt->ssh)
		return session_new_scenario(name, err);
	if (strcmp(ui->opt->ssh->node, SSH_NODE_AUTO) == 0 ||
	    strcmp(ui->opt->ssh->node, SSH_NODE_PICK) == 0) {
		ad_error_set(err, AD_EINVAL, "%s",
			     _("--ssh-node auto and pick need a live cluster: give the node's address"));
		return NULL;
	}
	if (tree_load_builtin(&t, err) != 0)
		return NULL;
	if (world_open_scenario(name, &w, err) != 0) {
		tree_free(t);
		return NULL;
	}
	if (attach(ui, w, NULL, NULL, &a, err) != 0) {
		world_free(w);
		tree_free(t);
		return NULL;
	}
	s = session_new_world(w, t, err);
	if (!s) {
		sshask_free(a);
		return NULL;
	}
	ask_rotate(a);
	return s;
}

void ui_ssh_end(void)
{
	pass_clear();
	sshask_free(ask_prev);
	sshask_free(ask_cur);
	ask_prev = ask_cur = NULL;
}

extern const struct ui_screen_ops ui_screen_ssh_hostkey;
extern const struct ui_screen_ops ui_screen_ssh_pass;

static int on_top(const struct ui *ui)
{
	const struct ui_screen_ops *top = ui_top(ui);

	return top == &ui_screen_ssh_hostkey || top == &ui_screen_ssh_pass;
}

int ui_ssh_tick(struct ui *ui)
{
	struct sshask_question q;
	char drop[64];

	if (!ask_cur)
		return 0;
	/* The pipe only says "look": empty it. */
	while (read(sshask_fd(ask_cur), drop, sizeof drop) > 0)
		;
	if (on_top(ui) || !sshask_pending(ask_cur, &q))
		return 0;
	shown = q;
	pass_clear();
	ui_push(ui, q.kind == SSHASK_HOSTKEY ? &ui_screen_ssh_hostkey :
		&ui_screen_ssh_pass);
	return UI_REDRAW;
}

static void draw(struct ui *ui)
{
	struct ui_text t;
	char line[1024];
	int w = ui->cols - 8, h, y, x;
	const char *title;

	if (w > 78)
		w = 78;
	ui_text_init(&t, w - 6);
	if (shown.kind == SSHASK_HOSTKEY) {
		title = _("Unknown host key");
		snprintf(line, sizeof line,
			 _("The node %s (port %d) is not in your known_hosts file."),
			 shown.host, shown.port);
		ui_text_add(&t, line, UI_ROLE_NORMAL, 0);
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		snprintf(line, sizeof line,
			 _("Its %s host key has the fingerprint:"),
			 shown.keytype);
		ui_text_add(&t, line, UI_ROLE_NORMAL, 0);
		ui_text_add(&t, shown.fingerprint, UI_ROLE_WARNING, 2);
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, _("Compare it with the fingerprint the node's administrator gives you (ssh-keygen -lf on the node). Trust this host?"),
			    UI_ROLE_NORMAL, 0);
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, _("y = yes, this time   s = yes, and save it in known_hosts   n or Esc = no"),
			    UI_ROLE_WARNING, 0);
	} else {
		title = _("Key passphrase");
		snprintf(line, sizeof line,
			 _("The private key %s is encrypted. Its passphrase (not shown, not kept):"),
			 shown.path);
		ui_text_add(&t, line, UI_ROLE_NORMAL, 0);
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, passlen ? _("[typed]") : _("[empty]"),
			    UI_ROLE_WARNING, 2);
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, _("Enter = use it   Esc = skip this key"),
			    UI_ROLE_WARNING, 0);
	}
	h = (int)t.n + 4;
	if (h > ui->rows - 4)
		h = ui->rows - 4;
	y = (ui->rows - 2 - h) / 2;
	x = (ui->cols - w) / 2;
	ui_box(y, x, h, w, title);
	ui_text_draw(&t, y + 2, x + 3, h - 4, w - 6, 0);
	ui_text_free(&t);
}

static int answered(struct ui *ui)
{
	pass_clear();
	memset(&shown, 0, sizeof shown);
	ui_pop(ui);
	return UI_HANDLED | UI_REDRAW;
}

static int hostkey_key(struct ui *ui, const struct ui_key *k)
{
	if (k->func)
		return UI_HANDLED;
	switch (k->ch) {
	case 'y': case 'Y':
		sshask_answer_hostkey(ask_cur, SSH_TRUST_ONCE);
		ui_status(ui, 0, "%s", _("Host key trusted for this session."));
		return answered(ui);
	case 's': case 'S':
		sshask_answer_hostkey(ask_cur, SSH_TRUST_SAVE);
		ui_status(ui, 0, "%s", _("Host key trusted and saved in known_hosts."));
		return answered(ui);
	case 'n': case 'N': case 27:
		sshask_answer_hostkey(ask_cur, SSH_TRUST_NO);
		ui_status(ui, 0, "%s", _("Host key not trusted: the node checks cannot run."));
		return answered(ui);
	default:
		/* Nothing else may slip past the question. */
		return UI_HANDLED;
	}
}

static int pass_key(struct ui *ui, const struct ui_key *k)
{
	if ((k->func && k->ch == KEY_ENTER) ||
	    (!k->func && (k->ch == '\n' || k->ch == '\r'))) {
		sshask_answer_passphrase(ask_cur, pass);
		return answered(ui);
	}
	if (!k->func && k->ch == 27) {
		sshask_answer_passphrase(ask_cur, NULL);
		ui_status(ui, 0, "%s", _("Encrypted key skipped."));
		return answered(ui);
	}
	if ((k->func && k->ch == KEY_BACKSPACE) ||
	    (!k->func && (k->ch == 127 || k->ch == 8))) {
		/* Drop one character (its UTF-8 continuation bytes too). */
		while (passlen > 0 &&
		       ((unsigned char)pass[--passlen] & 0xC0) == 0x80)
			pass[passlen] = '\0';
		pass[passlen] = '\0';
		return UI_HANDLED | UI_REDRAW;
	}
	if (!k->func && k->ch >= 32) {
		char mb[8];
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, (wchar_t)k->ch, &st);
		if (n != (size_t)-1 && passlen + n < sizeof pass) {
			memcpy(pass + passlen, mb, n);
			passlen += n;
			pass[passlen] = '\0';
		}
		memset(mb, 0, sizeof mb);
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

/* The worker stopped waiting (cancelled): the question is gone. */
static int tick(struct ui *ui)
{
	if (ask_cur && sshask_pending(ask_cur, NULL))
		return 0;
	return answered(ui);
}

static void leave(struct ui *ui)
{
	(void)ui;
	pass_clear();
}

static const enum ui_action bar_hostkey[] = { UI_ACT_YES, UI_ACT_NO,
					      UI_ACT_NONE };
static const enum ui_action bar_pass[] = { UI_ACT_SELECT, UI_ACT_CANCEL,
					   UI_ACT_NONE };

const struct ui_screen_ops ui_screen_ssh_hostkey = {
	.name = "ssh-hostkey",
	.leave = leave,
	.draw = draw,
	.key = hostkey_key,
	.tick = tick,
	.bar = bar_hostkey,
	.modal = 1,
};

const struct ui_screen_ops ui_screen_ssh_pass = {
	.name = "ssh-passphrase",
	.leave = leave,
	.draw = draw,
	.key = pass_key,
	.tick = tick,
	.bar = bar_pass,
	.modal = 1,
};
