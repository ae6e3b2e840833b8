/* SPDX-License-Identifier: MIT */
/*
 * The monitor at a terminal, through libedit's readline interface: editing,
 * history across sessions and completion. Pipes and files never come here:
 * they are read line by line, as scripts and tests expect.
 */
#include "monitor-prompt.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <editline/readline.h>

#include "cli.h"

#define HISTORY_LINES 1000

struct monitor_prompt {
	struct monitor *mon;
	char *history; /* the history file, or NULL when there is no home to keep it in */
	char *last;    /* the last line kept, not kept twice in a row */
	struct sigaction old_int;
};

/* readline's callbacks take no context: the one prompt open. */
static struct monitor_prompt *prompt_open;
static volatile sig_atomic_t prompt_interrupted;

/* ---------------------------------------------------------------------- */
/* History                                                                */
/* ---------------------------------------------------------------------- */

/* Make each missing folder of (path) up to its last '/'. */
static void mkdir_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
}

/* $XDG_STATE_HOME/vsgx/history, else ~/.local/state/vsgx/history, else NULL. */
static char *history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *path = NULL;

	/* The XDG spec ignores a relative $XDG_STATE_HOME. */
	if (state && state[0] == '/') {
		if (asprintf(&path, "%s/vsgx/history", state) < 0)
			return NULL;
	} else if (home && home[0]) {
		if (asprintf(&path, "%s/.local/state/vsgx/history", home) < 0)
			return NULL;
	}
	return path;
}

static void history_keep(struct monitor_prompt *p, const char *line)
{
	if (!line[strspn(line, " \t")] || (p->last && !strcmp(p->last, line)))
		return;
	add_history(line);
	free(p->last);
	p->last = strdup(line);
}

/* ---------------------------------------------------------------------- */
/* Completion                                                             */
/* ---------------------------------------------------------------------- */

struct prompt_words {
	char **w;
	size_t n, cap;
	size_t next; /* the generator's place */
};

static struct prompt_words prompt_words;

static void words_clear(struct prompt_words *pw)
{
	for (size_t i = 0; i < pw->n; i++)
		free(pw->w[i]);
	free(pw->w);
	*pw = (struct prompt_words){ 0 };
}

static void words_add(const char *word, void *arg)
{
	struct prompt_words *pw = arg;
	char *copy;

	if (pw->n == pw->cap) {
		size_t cap = pw->cap ? pw->cap * 2 : 16;
		char **w = realloc(pw->w, cap * sizeof(*w));

		if (!w)
			return;
		pw->w = w;
		pw->cap = cap;
	}
	copy = strdup(word);
	if (copy)
		pw->w[pw->n++] = copy;
}

/* readline's generator: the words monitor_complete() found, one per call. */
static char *words_next(const char *text, int state)
{
	(void)text;
	if (!state)
		prompt_words.next = 0;
	if (prompt_words.next >= prompt_words.n)
		return NULL;
	return strdup(prompt_words.w[prompt_words.next++]);
}

static char **prompt_complete(const char *text, int start, int end)
{
	char *before = strndup(rl_line_buffer, (size_t)end);

	(void)start;
	/* Never fall back to file names: every word here is the monitor's. */
	rl_attempted_completion_over = 1;
	words_clear(&prompt_words);
	if (!before)
		return NULL;
	monitor_complete(prompt_open->mon, before, words_add, &prompt_words);
	free(before);
	/* "pages=" waits for its value; a whole word is followed by a space. */
	rl_completion_append_character =
	    prompt_words.n == 1 && strchr(prompt_words.w[0], '=') ? '\0' : ' ';
	return rl_completion_matches(text, words_next);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                */
/* ---------------------------------------------------------------------- */

static void prompt_on_sigint(int sig)
{
	(void)sig;
	prompt_interrupted = 1;
}

/*
 * The terminal in libedit's editing (raw) mode before the prompt shows.
 * libedit's readline() gives the terminal back its own settings (canonical
 * mode) at the end of every line, and prints the next prompt before it
 * turns canonical mode off, at its first read (libedit 3.1-20221030: the
 * prompt's write(), then tcsetattr()). A key typed after the prompt showed
 * but before that read went to the tty's line discipline: a Ctrl-D there
 * was the tty's end-of-file, which libedit then read as a NUL byte
 * (set-mark), and the session did not end. readline() calls this hook
 * after it set the terminal up and before it prints the prompt, so what is
 * typed at a prompt reaches libedit as typed.
 */
static int prompt_prep_terminal(void)
{
	rl_prep_terminal(0);
	return 0;
}

int monitor_prompt_open(struct monitor *mon, FILE *out, struct monitor_prompt **ret)
{
	struct monitor_prompt *p = calloc(1, sizeof(*p));
	struct sigaction sa = { .sa_handler = prompt_on_sigint };

	if (!p)
		return -ENOMEM;
	p->mon = mon;
	p->history = history_path();
	rl_readline_name = "vsgx";
	rl_instream = stdin;
	rl_outstream = out;
	/* Words are split at spaces only: "pages=" and "s3|s4" are words of their own. */
	rl_basic_word_break_characters = " \t";
	rl_attempted_completion_function = prompt_complete;
	rl_pre_input_hook = prompt_prep_terminal;
	using_history();
	stifle_history(HISTORY_LINES);
	if (p->history)
		read_history(p->history);
	/* Ctrl-C drops the line, not the session and its report: no SA_RESTART. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &p->old_int);
	prompt_open = p;
	*ret = p;
	return 0;
}

bool monitor_prompt_read(struct monitor_prompt *p, char line[MONITOR_LINE_MAX], int *ret_err)
{
	char *got;

	*ret_err = MONITOR_OK;
	for (;;) {
		prompt_interrupted = 0;
		got = readline("(vsgx) ");
		if (got || !prompt_interrupted)
			break;
		fputc('\n', rl_outstream);
	}
	if (!got) {
		/* Ctrl-D: the report starts on a line of its own. */
		fputc('\n', rl_outstream);
		return false;
	}
	history_keep(p, got);
	if (strlen(got) >= MONITOR_LINE_MAX) {
		cli_error("the line is longer than %d bytes; nothing was done",
			  MONITOR_LINE_MAX - 1);
		*ret_err = MONITOR_SYNTAX;
		line[0] = '\0';
	} else {
		memcpy(line, got, strlen(got) + 1);
	}
	free(got);
	return true;
}

void monitor_prompt_close(struct monitor_prompt *p)
{
	if (!p)
		return;
	if (p->history) {
		mkdir_parents(p->history);
		if (write_history(p->history))
			cli_error("%s: the history was not saved", p->history);
	}
	sigaction(SIGINT, &p->old_int, NULL);
	rl_pre_input_hook = NULL;
	words_clear(&prompt_words);
	prompt_open = NULL;
	free(p->history);
	free(p->last);
	free(p);
}
