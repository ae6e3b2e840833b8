/* SPDX-License-Identifier: MIT */
/*
 * A series as a plain SVG image: one panel per NUMA node, as tall as the
 * node's EPC, with a column per command in which the pages of each VM, the
 * host's own, zombie and bad pages are stacked from the bottom (the white
 * above them is free EPC). Steps, not slopes: usage changes at a command,
 * not between two.
 *
 * Coordinates are printed with at most two decimals, so the same series
 * gives the same bytes (tests compare them).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report-int.h"

#define SVG_W	      1000
#define PLOT_X0	      80  /* left edge of the panels */
#define PLOT_X1	      800 /* right edge; the legend is beyond */
#define LEGEND_X      824
#define PANEL_TOP     84 /* the first panel's top */
#define PANEL_H	      180
#define PANEL_GAP     44   /* between a panel's bottom and the next one's top */
#define LABEL_SPACING 24.0 /* the fewest pixels between two x-axis labels */
#define MIN_HOVER_W   2.0  /* the thinnest column that gets a tooltip */

static const char *const vm_colours[] = { "#0072b2", "#e69f00", "#009e73", "#cc79a7",
					  "#56b4e9", "#d55e00", "#f0e442" };
#define NR_VM_COLOURS (sizeof(vm_colours) / sizeof(vm_colours[0]))
#define HOST_COLOUR   "#8c8c8c"
#define ZOMBIE_COLOUR "#a50f15"
#define BAD_COLOUR    "#252525"

/* The layers of a panel, bottom up: each VM (by name index), then these. */
enum { LAYER_HOST, LAYER_ZOMBIE, LAYER_BAD, NR_FIXED_LAYERS };
static const char *const fixed_names[NR_FIXED_LAYERS] = { "host (its enclaves)", "zombie", "bad" };
static const char *const fixed_colours[NR_FIXED_LAYERS] = { HOST_COLOUR, ZOMBIE_COLOUR,
							    BAD_COLOUR };

struct svg {
	const struct report_series *s;
	FILE *f;
	unsigned int nodes[REPORT_MAX_NODES]; /* every node of any sample, ascending */
	unsigned int nr_nodes;
	unsigned int nr_layers; /* names, then the fixed layers */
	bool *shown;		/* a layer with a page anywhere: drawn and in the legend */
	double col_w;		/* pixels per command */
	uint64_t *below;	/* pages stacked so far per column */
};

/* A coordinate, with at most two decimals and no trailing zeros: "80", "12.5". */
static const char *num(double v, char buf[32])
{
	size_t n;

	snprintf(buf, 32, "%.2f", v);
	n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	if (!strcmp(buf, "-0"))
		strcpy(buf, "0");
	return buf;
}

/* Text for an SVG document: &, <, >, " and ' as entities. */
static void xml_text(FILE *f, const char *t)
{
	for (; *t; t++) {
		switch (*t) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(*t, f);
		}
	}
}

static const char *layer_colour(const struct svg *g, unsigned int layer)
{
	unsigned int nr_names = g->s->nr_names;

	return layer < nr_names ? vm_colours[layer % NR_VM_COLOURS]
				: fixed_colours[layer - nr_names];
}

static const char *layer_name(const struct svg *g, unsigned int layer)
{
	unsigned int nr_names = g->s->nr_names;

	return layer < nr_names ? g->s->names[layer] : fixed_names[layer - nr_names];
}

/* The pages of (layer) on (node) after command (k). */
static uint64_t layer_pages(const struct svg *g, unsigned int layer, unsigned int node,
			    unsigned int k)
{
	const struct report_sample *smp = &g->s->samples[k];
	unsigned int nr_names = g->s->nr_names;
	int i = report_sample_node(smp, node);
	uint64_t vms = 0;

	if (i < 0)
		return 0;
	for (unsigned int v = 0; v < smp->nr_vms; v++) {
		uint64_t p = smp->pages[(size_t)v * smp->nr_nodes + (unsigned int)i];

		if (smp->vm_ids[v] == layer)
			return p;
		vms += p;
	}
	if (layer < nr_names)
		return 0;
	switch (layer - nr_names) {
	case LAYER_HOST:
		return smp->nodes[i].used - vms;
	case LAYER_ZOMBIE:
		return smp->nodes[i].zombie;
	default:
		return smp->nodes[i].bad;
	}
}

/* The largest total of (node) over the series: the panel's height. */
static uint64_t node_total(const struct svg *g, unsigned int node)
{
	uint64_t max = 0;

	for (unsigned int k = 0; k < g->s->nr; k++) {
		int i = report_sample_node(&g->s->samples[k], node);

		if (i >= 0 && g->s->samples[k].nodes[i].total > max)
			max = g->s->samples[k].nodes[i].total;
	}
	return max;
}

static int svg_prepare(struct svg *g)
{
	const struct report_series *s = g->s;
	unsigned int n = s->nr;

	for (unsigned int k = 0; k < n; k++)
		for (unsigned int i = 0; i < s->samples[k].nr_nodes; i++) {
			unsigned int node = s->samples[k].nodes[i].node, j = g->nr_nodes;

			while (j && g->nodes[j - 1] > node)
				j--;
			if (j && g->nodes[j - 1] == node)
				continue;
			memmove(&g->nodes[j + 1], &g->nodes[j],
				(g->nr_nodes - j) * sizeof(g->nodes[0]));
			g->nodes[j] = node;
			g->nr_nodes++;
		}
	g->nr_layers = s->nr_names + NR_FIXED_LAYERS;
	g->shown = calloc(g->nr_layers, sizeof(*g->shown));
	g->below = calloc(n, sizeof(*g->below));
	if (!g->shown || !g->below)
		return -ENOMEM;
	for (unsigned int l = 0; l < g->nr_layers; l++)
		for (unsigned int i = 0; i < g->nr_nodes && !g->shown[l]; i++)
			for (unsigned int k = 0; k < n && !g->shown[l]; k++)
				g->shown[l] = layer_pages(g, l, g->nodes[i], k) != 0;
	g->col_w = (double)(PLOT_X1 - PLOT_X0) / n;
	return 0;
}

static double col_x(const struct svg *g, unsigned int k)
{
	return PLOT_X0 + g->col_w * k;
}

static double panel_top(unsigned int p)
{
	return PANEL_TOP + p * (PANEL_H + PANEL_GAP);
}

/*
 * A layer's step outline: along its top from left to right, down, and back
 * along its bottom, with a vertex only where a value changes.
 */
static void svg_layer_path(struct svg *g, const uint64_t *top, const uint64_t *bottom,
			   unsigned int layer, double y0, double scale)
{
	unsigned int n = g->s->nr;
	char a[32], b[32];

	fprintf(g->f, "<path d=\"M%s %s", num(PLOT_X0, a), num(y0 - top[0] * scale, b));
	for (unsigned int k = 1; k < n; k++)
		if (top[k] != top[k - 1])
			fprintf(g->f, "H%sV%s", num(col_x(g, k), a), num(y0 - top[k] * scale, b));
	fprintf(g->f, "H%s", num(PLOT_X1, a));
	if (bottom[n - 1] != top[n - 1])
		fprintf(g->f, "V%s", num(y0 - bottom[n - 1] * scale, b));
	for (unsigned int k = n - 1; k > 0; k--)
		if (bottom[k - 1] != bottom[k])
			fprintf(g->f, "H%sV%s", num(col_x(g, k), a),
				num(y0 - bottom[k - 1] * scale, b));
	fprintf(g->f, "H%sZ\" fill=\"%s\"/>\n", num(PLOT_X0, a), layer_colour(g, layer));
}

/* The layers of one panel, stacked from its bottom (y0). */
static int svg_layers(struct svg *g, unsigned int node, double y0, double scale)
{
	unsigned int n = g->s->nr;
	uint64_t *top = malloc(n * sizeof(*top));

	if (!top)
		return -ENOMEM;
	memset(g->below, 0, n * sizeof(*g->below));
	for (unsigned int l = 0; l < g->nr_layers; l++) {
		bool any = false;

		for (unsigned int k = 0; k < n; k++) {
			top[k] = g->below[k] + layer_pages(g, l, node, k);
			any |= top[k] != g->below[k];
		}
		if (any)
			svg_layer_path(g, top, g->below, l, y0, scale);
		memcpy(g->below, top, n * sizeof(*top));
	}
	free(top);
	return 0;
}

/* A step for the y axis: the smallest power of two (of MiB or GiB) giving at most 4 intervals. */
static double y_step(double max)
{
	double step = 1.0 / 1024;

	while (max / step > 4)
		step *= 2;
	return step;
}

static void svg_y_axis(struct svg *g, double top, uint64_t total)
{
	bool gib = total >= 8192ULL * REPORT_PAGES_PER_MIB;
	double unit = gib ? 1024.0 * REPORT_PAGES_PER_MIB : REPORT_PAGES_PER_MIB;
	double max = total / unit, step = y_step(max), y0 = top + PANEL_H;
	char a[32], b[32], c[32];

	for (double v = 0; v <= max * (1 + 1e-9); v += step) {
		double y = y0 - v / max * PANEL_H;

		fprintf(g->f,
			"<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" class=\"grid\"/>\n"
			"<text x=\"%d\" y=\"%s\" class=\"ytick\">%s</text>\n",
			PLOT_X0, num(y, a), PLOT_X1, num(y, a), PLOT_X0 - 6, num(y + 4, b),
			num(v, c));
	}
	fprintf(g->f,
		"<text transform=\"translate(%d %s) rotate(-90)\" class=\"axis\">EPC (%s)</text>\n",
		PLOT_X0 - 50, num(top + PANEL_H / 2.0, a), gib ? "GiB" : "MiB");
}

static int svg_panel(struct svg *g, unsigned int p)
{
	unsigned int node = g->nodes[p];
	uint64_t total = node_total(g, node);
	double top = panel_top(p);
	char a[32];
	int r;

	fprintf(g->f, "<g class=\"panel\" id=\"node%u\">\n", node);
	fprintf(g->f, "<text x=\"%d\" y=\"%s\" class=\"panel-title\">node %u: ", PLOT_X0,
		num(top - 8, a), node);
	if (total % REPORT_PAGES_PER_MIB)
		fprintf(g->f, "%llu KiB", (unsigned long long)total * 4);
	else
		fprintf(g->f, "%llu MiB", (unsigned long long)total / REPORT_PAGES_PER_MIB);
	fprintf(g->f, " of EPC (%llu pages)</text>\n", (unsigned long long)total);
	/* The grid first: the layers cover it where they are. */
	if (total) {
		svg_y_axis(g, top, total);
		r = svg_layers(g, node, top + PANEL_H, (double)PANEL_H / total);
		if (r)
			return r;
	}
	fprintf(g->f, "<rect x=\"%d\" y=\"%s\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n",
		PLOT_X0, num(top, a), PLOT_X1 - PLOT_X0, PANEL_H);
	fputs("</g>\n", g->f);
	return 0;
}

/* Command numbers and their scenario lines under the last panel, thinned to fit. */
static void svg_x_axis(struct svg *g)
{
	double y = panel_top(g->nr_nodes - 1) + PANEL_H;
	unsigned int every = (unsigned int)ceil(LABEL_SPACING / g->col_w);
	char x[32], y0[32], y1[32], y2[32], y3[32];

	num(y, y0);
	num(y + 4, y1);
	num(y + 16, y2);
	num(y + 30, y3);
	fprintf(g->f,
		"<text x=\"%d\" y=\"%s\" class=\"xhead\">command</text>\n"
		"<text x=\"%d\" y=\"%s\" class=\"xhead\">line</text>\n",
		PLOT_X0 - 6, y2, PLOT_X0 - 6, y3);
	for (unsigned int k = 0; k < g->s->nr; k += every) {
		num(col_x(g, k) + g->col_w / 2, x);
		fprintf(g->f,
			"<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" class=\"tick\"/>\n"
			"<text x=\"%s\" y=\"%s\" class=\"xtick\">%u</text>\n"
			"<text x=\"%s\" y=\"%s\" class=\"xline\">%u</text>\n",
			x, y0, x, y1, x, y2, k + 1, x, y3, g->s->samples[k].line);
	}
	fprintf(g->f,
		"<text x=\"%s\" y=\"%s\" class=\"axis\">after each command (its number, and its "
		"line in the scenario)</text>\n",
		num((PLOT_X0 + PLOT_X1) / 2.0, x), num(y + 50, y0));
}

static void svg_legend(struct svg *g)
{
	double y = PANEL_TOP;
	char a[32], b[32];

	fprintf(g->f, "<g class=\"legend\">\n");
	/* Top down as the layers stack bottom up, so the legend reads like the plot. */
	for (unsigned int i = g->nr_layers + 1; i-- > 0;) {
		bool free_row = i == g->nr_layers;

		if (!free_row && !g->shown[i])
			continue;
		fprintf(g->f, "<rect x=\"%d\" y=\"%s\" width=\"12\" height=\"12\" fill=\"%s\"%s/>",
			LEGEND_X, num(y, a), free_row ? "#ffffff" : layer_colour(g, i),
			free_row ? " stroke=\"#999999\"" : "");
		fprintf(g->f, "<text x=\"%d\" y=\"%s\">", LEGEND_X + 18, num(y + 10, b));
		xml_text(g->f, free_row ? "free" : layer_name(g, i));
		fputs("</text>\n", g->f);
		y += 20;
	}
	fputs("</g>\n", g->f);
}

/*
 * A transparent column per command over every panel, whose tooltip names the
 * command; none when columns are too thin to point at (thousands of commands).
 */
static void svg_hover(struct svg *g, double height)
{
	char a[32], b[32], c[32];

	for (unsigned int k = 0; g->col_w >= MIN_HOVER_W && k < g->s->nr; k++) {
		fprintf(g->f, "<rect x=\"%s\" y=\"%d\" width=\"%s\" height=\"%s\" class=\"col\">",
			num(col_x(g, k), a), PANEL_TOP, num(g->col_w, b), num(height, c));
		fprintf(g->f, "<title>command %u, line %u: ", k + 1, g->s->samples[k].line);
		xml_text(g->f, g->s->samples[k].label);
		fputs("</title></rect>\n", g->f);
	}
}

static void svg_head(struct svg *g, const char *title, unsigned int height)
{
	fprintf(g->f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%u\" "
		"viewBox=\"0 0 %d %u\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<style>\n"
		".grid{stroke:#e0e0e0}.frame{fill:none;stroke:#555555}.tick{stroke:#555555}\n"
		".ytick{text-anchor:end}.xtick,.xline,.axis{text-anchor:middle}\n"
		".xhead{text-anchor:end;fill:#555555;font-size:10px}.xline{fill:#555555;font-size:"
		"10px}\n"
		".xtick{font-size:10px}.panel-title{font-weight:bold}.title{font-size:16px;font-"
		"weight:bold}\n"
		".col{fill:#000000;fill-opacity:0}.col:hover{fill-opacity:0.08}\n"
		"</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		SVG_W, height, SVG_W, height);
	fprintf(g->f, "<text x=\"%d\" y=\"28\" class=\"title\">", PLOT_X0);
	if (title) {
		xml_text(g->f, title);
	} else {
		fputs("EPC per NUMA node after each command", g->f);
		if (*report_series_file(g->s)) {
			fputs(": ", g->f);
			xml_text(g->f, report_series_file(g->s));
		}
	}
	fprintf(g->f,
		"</text>\n<text x=\"%d\" y=\"48\" fill=\"#555555\">pages stacked by holder; "
		"a column per command; 1 MiB = 256 pages of 4 KiB</text>\n",
		PLOT_X0);
}

int report_svg_write(const struct report_series *s, const char *title, FILE *f)
{
	struct svg g = { .s = s, .f = f };
	unsigned int height;
	int r;

	if (!s->nr)
		return -EINVAL;
	r = svg_prepare(&g);
	if (!r && !g.nr_nodes)
		r = -EINVAL;
	if (r)
		goto out;
	height = (unsigned int)panel_top(g.nr_nodes - 1) + PANEL_H + 66;
	svg_head(&g, title, height);
	for (unsigned int p = 0; !r && p < g.nr_nodes; p++)
		r = svg_panel(&g, p);
	if (r)
		goto out;
	svg_x_axis(&g);
	svg_legend(&g);
	svg_hover(&g, panel_top(g.nr_nodes - 1) + PANEL_H - PANEL_TOP);
	fputs("</svg>\n", f);
	r = ferror(f) ? -EIO : 0;
out:
	free(g.shown);
	free(g.below);
	return r;
}
