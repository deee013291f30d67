/* The docs test: every command word, subcommand, option key, flag and
 * enumerated value of the command table (script/commands.c) appears in
 * docs/scenario.md, the language reference.  Exit 77 (skipped) when the
 * reference is missing; a path on the command line checks another file. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmsim/script.h>

static char *doc;

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Does w appear in the document as a word of its own (KEY= for keys)? */
static bool in_doc(const char *w, bool key)
{
	size_t n = strlen(w);

	for (const char *p = strstr(doc, w); p; p = strstr(p + 1, w)) {
		bool start = p == doc || !word_char(p[-1]);
		bool end = key ? p[n] == '=' : !word_char(p[n]);

		if (start && end)
			return true;
	}
	return false;
}

static int missing;

static void need(const char *what, const char *cmd, const char *w, bool key)
{
	if (in_doc(w, key))
		return;
	printf("docs/scenario.md lacks %s '%s%s' (of '%s')\n", what, w, key ? "=" : "", cmd);
	missing++;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : VMSIM_SOURCE_DIR "/docs/scenario.md";
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 1 << 16;

	if (!f) {
		printf("skip: no %s\n", path);
		return 77;
	}
	doc = malloc(cap);
	while (doc) {
		size_t got = fread(doc + len, 1, cap - len - 1, f);

		len += got;
		if (!got)
			break;
		if (len + 1 == cap && !(doc = realloc(doc, cap *= 2)))
			break;
	}
	fclose(f);
	if (!doc)
		return 1;
	doc[len] = 0;
	for (size_t i = 0; i < vms_command_count(); i++) {
		const struct vms_command *k = vms_command_at(i);
		char word[64];

		/* "uffd register": both words */
		snprintf(word, sizeof(word), "%s", k->word);
		for (char *save = NULL, *t = strtok_r(word, " ", &save); t; t = strtok_r(NULL, " ", &save))
			need("the command word", k->word, t, false);
		for (const char *const *w = k->keys; w && *w; w++)
			need("the option", k->word, *w, true);
		for (const char *const *w = k->flags; w && *w; w++)
			need("the flag", k->word, *w, false);
		for (const char *const *w = k->values; w && *w; w++)
			if (word_char(**w))
				need("the value", k->word, *w, false);
	}
	for (unsigned i = 0; i < VMS_SMAPS_NFIELDS; i++)
		need("the smaps field", "smaps", vms_smaps_field_name(i), false);
	free(doc);
	if (missing)
		return 1;
	printf("every command, option, flag and value of the table is documented\n");
	return 0;
}
