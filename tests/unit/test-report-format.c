/* SPDX-License-Identifier: MIT */
/*
 * The EPC usage report module (include/vsgx/report.h): the "epc" JSON of
 * command lines, both ways; the closing report's matrix; Prometheus's text
 * format; the reader of `vsgx run --json` lines with its errors; and the SVG
 * plot, element by element, for series small enough to work out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/report.h"

/* Output of a writer into a string (free() it). */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/*
 * Two nodes of 64 MiB; vm1 holds 8192 pages on node 0, vm2 4096 on node 1
 * and 2 on node 0; host enclaves hold 10 on node 0; node 1 has a zombie and
 * a bad page.
 */
static const struct report_vm two_vms[] = {
	{ "vm1", { 8192, 0 } },
	{ "vm2", { 2, 4096 } },
};

static void snap_two(struct report_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->nr_nodes = 2;
	s->nodes[0] = (struct report_node){ 0, 16384, 16384 - 8204, 8204, 0, 0 };
	s->nodes[1] = (struct report_node){ 1, 16384, 16384 - 4098, 4096, 1, 1 };
	s->nr_vms = 2;
	s->vms = two_vms;
}

static void test_snapshot_json(void **state)
{
	struct report_snapshot s;
	struct json_object *o;

	(void)state;
	snap_two(&s);
	assert_int_equal(report_host_pages(&s, 0), 10);
	assert_int_equal(report_host_pages(&s, 1), 0);
	o = report_snapshot_json(&s);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"nodes\":[0,1],\"total\":[16384,16384],\"free\":[8180,12286],"
			    "\"used\":[8204,4096],\"zombie\":[0,1],\"bad\":[0,1],"
			    "\"vms\":{\"vm1\":[8192,0],\"vm2\":[2,4096]}}");
	json_object_put(o);
	o = report_snapshot_json_report(&s);
	assert_string_equal(
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "{\"nodes\":[0,1],\"total\":[16384,16384],\"free\":[8180,12286],"
	    "\"used\":[8204,4096],\"zombie\":[0,1],\"bad\":[0,1],"
	    "\"vms\":{\"vm1\":[8192,0],\"vm2\":[2,4096]},\"host\":[10,0],"
	    "\"totals\":{\"total\":32768,\"free\":20466,\"used\":12300,\"zombie\":1,"
	    "\"bad\":1,\"host\":10,\"vms\":{\"vm1\":8192,\"vm2\":4098}}}");
	json_object_put(o);
}

static void test_snapshot_json_round_trip(void **state)
{
	struct report_snapshot s, back;
	struct report_vm vms[4];
	struct json_object *o;
	char why[256];

	(void)state;
	snap_two(&s);
	o = report_snapshot_json(&s);
	assert_int_equal(report_snapshot_from_json(o, &back, vms, 4, why, sizeof(why)), 0);
	json_object_put(o);
	assert_int_equal(back.nr_nodes, 2);
	assert_int_equal(back.nodes[1].node, 1);
	assert_int_equal(back.nodes[1].zombie, 1);
	assert_int_equal(back.nodes[1].bad, 1);
	assert_int_equal(back.nodes[0].free, 8180);
	assert_int_equal(back.nr_vms, 2);
	assert_string_equal(back.vms[1].name, "vm2");
	assert_int_equal(back.vms[1].pages[0], 2);
	assert_int_equal(back.vms[1].pages[1], 4096);
	/* Room for one VM only. */
	o = report_snapshot_json(&s);
	assert_int_equal(report_snapshot_from_json(o, &back, vms, 1, why, sizeof(why)), -ENOSPC);
	json_object_put(o);
}

/* report_snapshot_from_json() of (text): its result and reason. */
static void assert_from_json(const char *text, int want, const char *why_want)
{
	struct json_object *o = json_tokener_parse(text);
	struct report_snapshot s;
	struct report_vm vms[4];
	char why[256] = "";

	assert_non_null(o);
	assert_int_equal(report_snapshot_from_json(o, &s, vms, 4, why, sizeof(why)), want);
	assert_string_equal(why, why_want);
	json_object_put(o);
}

#define GOOD_NODES                                                                                 \
	"\"nodes\":[0],\"total\":[8],\"free\":[4],\"used\":[4],\"zombie\":[0],\"bad\":[0]"

static void test_snapshot_json_errors(void **state)
{
	(void)state;
	assert_from_json("{" GOOD_NODES ",\"vms\":{\"a\":[3]}}", 0, "");
	assert_from_json("[]", -EINVAL, "\"epc\" is not an object");
	assert_from_json("{\"total\":[8]}", -EINVAL, "\"epc\" has no \"nodes\" array");
	assert_from_json("{\"nodes\":[]}", -EINVAL, "\"nodes\" has 0 entries: 1 to 64");
	assert_from_json("{\"nodes\":[64]}", -EINVAL, "\"nodes\"[0] is not a node (0 to 63)");
	assert_from_json("{\"nodes\":[0,1],\"total\":[8]}", -EINVAL,
			 "\"total\" has 1 entries, \"nodes\" has 2");
	assert_from_json("{\"nodes\":[0],\"total\":[-8]}", -EINVAL,
			 "\"total\"[0] is not a page count (an integer, 0 or more)");
	assert_from_json("{\"nodes\":[0],\"total\":[8],\"free\":\"4\"}", -EINVAL,
			 "\"free\" is not an array of page counts");
	assert_from_json("{" GOOD_NODES "}", -EINVAL, "\"epc\" has no \"vms\" object");
	assert_from_json("{" GOOD_NODES ",\"vms\":{\"a\":[1,2]}}", -EINVAL,
			 "\"vms\".\"a\" has 2 entries, \"nodes\" has 1");
	assert_from_json("{" GOOD_NODES ",\"vms\":{\"a\":[3],\"b\":[2]}}", -EINVAL,
			 "node 0: the VMs hold more pages than its 4 used");
	assert_from_json("{\"nodes\":[0],\"total\":[8],\"free\":[4],\"used\":[4],\"zombie\":[1],"
			 "\"bad\":[0],\"vms\":{}}",
			 -EINVAL, "node 0: free 4 + used 4 + zombie 1 + bad 0 is not its total 8");
	assert_from_json("{\"nodes\":[1,0],\"total\":[0,0],\"free\":[0,0],\"used\":[0,0],"
			 "\"zombie\":[0,0],\"bad\":[0,0],\"vms\":{}}",
			 -EINVAL,
			 "node 0 comes after node 1: nodes go in ascending order, once each");
	assert_from_json("{" GOOD_NODES ",\"vms\":{\"\":[0]}}", -EINVAL,
			 "a VM name has 1 to 63 bytes");
}

static void test_matrix(void **state)
{
	struct report_snapshot s;
	struct capture c;
	char *out;

	(void)state;
	snap_two(&s);
	cap_open(&c);
	assert_int_equal(report_matrix_write(&s, c.f), 0);
	out = cap_close(&c);
	assert_string_equal(
	    out, "EPC pages by holder and NUMA node (4 KiB pages):\n"
		 "                          node 0             node 1          all nodes\n"
		 "vm1                8192 (32 MiB)          0 (0 MiB)      8192 (32 MiB)\n"
		 "vm2                    2 (8 KiB)      4096 (16 MiB)   4098 (16392 KiB)\n"
		 "host enclaves        10 (40 KiB)          0 (0 MiB)        10 (40 KiB)\n"
		 "used            8204 (32816 KiB)      4096 (16 MiB)  12300 (49200 KiB)\n"
		 "free            8180 (32720 KiB)  12286 (49144 KiB)  20466 (81864 KiB)\n"
		 "zombie                 0 (0 MiB)          1 (4 KiB)          1 (4 KiB)\n"
		 "bad                    0 (0 MiB)          1 (4 KiB)          1 (4 KiB)\n"
		 "total             16384 (64 MiB)     16384 (64 MiB)    32768 (128 MiB)\n");
	free(out);
}

static void test_metrics(void **state)
{
	static const struct report_vm odd[] = { { "a\"b\\c\nd", { 3 } } };
	struct report_snapshot s = { 0 };
	struct capture c;
	char *out;

	(void)state;
	s.nr_nodes = 1;
	s.nodes[0] = (struct report_node){ 2, 256, 250, 5, 1, 0 };
	s.nr_vms = 1;
	s.vms = odd;
	cap_open(&c);
	assert_int_equal(report_metrics_write(&s, c.f), 0);
	out = cap_close(&c);
	assert_string_equal(
	    out,
	    "# HELP sgx_epc_total_pages EPC pages (4 KiB) of the NUMA node.\n"
	    "# TYPE sgx_epc_total_pages gauge\n"
	    "sgx_epc_total_pages{node=\"2\"} 256\n"
	    "# HELP sgx_epc_pages EPC pages (4 KiB) of the NUMA node by state: used by the VM "
	    "named by vm, or without vm by the host (its enclaves); free; zombie (released, "
	    "waiting for children in another section); bad (never handed out). A node's series "
	    "add up to sgx_epc_total_pages.\n"
	    "# TYPE sgx_epc_pages gauge\n"
	    "sgx_epc_pages{node=\"2\",vm=\"a\\\"b\\\\c\\nd\",state=\"used\"} 3\n"
	    "sgx_epc_pages{node=\"2\",state=\"used\"} 2\n"
	    "sgx_epc_pages{node=\"2\",state=\"free\"} 250\n"
	    "sgx_epc_pages{node=\"2\",state=\"zombie\"} 1\n"
	    "sgx_epc_pages{node=\"2\",state=\"bad\"} 0\n");
	free(out);
	/* Without a host: the HELP and TYPE lines, no samples. */
	memset(&s, 0, sizeof(s));
	cap_open(&c);
	assert_int_equal(report_metrics_write(&s, c.f), 0);
	out = cap_close(&c);
	assert_null(strstr(out, "} "));
	assert_non_null(strstr(out, "# TYPE sgx_epc_pages gauge\n"));
	free(out);
}

/* A command event of one node of (total) pages, VM "a" holding (a) of them. */
static void jl_command(char *buf, size_t len, unsigned int line, const char *cmd, uint64_t total,
		       uint64_t a)
{
	snprintf(buf, len,
		 "{\"event\":\"command\",\"file\":\"s.vsgx\",\"line\":%u,\"command\":[%s],"
		 "\"outcome\":\"ok\",\"epc\":{\"nodes\":[0],\"total\":[%llu],\"free\":[%llu],"
		 "\"used\":[%llu],\"zombie\":[0],\"bad\":[0],\"vms\":{\"a\":[%llu]}}}\n",
		 line, cmd, (unsigned long long)total, (unsigned long long)(total - a),
		 (unsigned long long)a, (unsigned long long)a);
}

/* Two commands: "a" holds 0, then 128 of 256 pages (1 MiB). */
static char *jsonl_two(void)
{
	char *text = malloc(2048), l1[512], l2[512];

	jl_command(l1, sizeof(l1), 10, "\"vm\",\"create\",\"a\"", 256, 0);
	jl_command(l2, sizeof(l2), 12, "\"guest\",\"a\",\"boot\"", 256, 128);
	/* What the reader skips: a command before the host, blank lines, other events. */
	snprintf(text, 2048,
		 "{\"event\":\"command\",\"file\":\"s.vsgx\",\"line\":1,\"command\":[\"echo\"],"
		 "\"outcome\":\"ok\"}\n\n%s  \r\n%s{\"event\":\"vm\",\"name\":\"a\"}\n"
		 "{\"event\":\"something-new\"}\n",
		 l1, l2);
	return text;
}

static void test_jsonl_read(void **state)
{
	struct report_series *s = NULL;
	char *text = jsonl_two(), why[256] = "";

	(void)state;
	assert_int_equal(
	    report_series_read_jsonl(text, strlen(text), "r.jsonl", &s, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(report_series_len(s), 2);
	assert_string_equal(report_series_file(s), "s.vsgx");
	report_series_free(s);
	free(text);
	report_series_free(NULL);
}

static void assert_jsonl_error(const char *text, const char *why_want)
{
	struct report_series *s = NULL;
	char why[512] = "";

	assert_int_equal(
	    report_series_read_jsonl(text, strlen(text), "r.jsonl", &s, why, sizeof(why)), -EINVAL);
	assert_null(s);
	assert_string_equal(why, why_want);
}

#define HINT "vsgx plot reads the JSON lines of 'vsgx run --json FILE'"

static void test_jsonl_errors(void **state)
{
	char line[512], text[1024];

	(void)state;
	assert_jsonl_error("", "r.jsonl: empty; " HINT);
	assert_jsonl_error("\n \n", "r.jsonl: empty; " HINT);
	assert_jsonl_error("{\"event\":\"vm\"}\n",
			   "r.jsonl: no command event carries EPC usage (\"epc\"); " HINT
			   " with a host powered on");
	assert_jsonl_error("{\"event\":\"vm\"}\nhello\n",
			   "r.jsonl:2: not a JSON object; " HINT ", one object a line");
	assert_jsonl_error("42\n", "r.jsonl:1: not a JSON object; " HINT ", one object a line");
	assert_jsonl_error("{\"event\":\"command\",\"li",
			   "r.jsonl:1: the JSON object is cut short (a run that was stopped while "
			   "writing?)");
	assert_jsonl_error("{\"event\" 1}\n", "r.jsonl:1:10: not JSON: object property name "
					      "separator ':' expected");
	assert_jsonl_error("{\"event\":\"vm\"} x\n",
			   "r.jsonl:1:16: text after the JSON object; " HINT ", one object a line");
	assert_jsonl_error(
	    "{\"name\":\"vm1\"}\n",
	    "r.jsonl:1: a JSON object that is not an event (no \"event\" string); " HINT);
	assert_jsonl_error("{\"event\":\"command\",\"epc\":{}}\n",
			   "r.jsonl:1: the command event has no \"line\" (a scenario line number, "
			   "1 or more)");
	assert_jsonl_error("{\"event\":\"command\",\"line\":3,\"epc\":{}}\n",
			   "r.jsonl:1: the command event has no \"command\" array of words");
	assert_jsonl_error("{\"event\":\"command\",\"line\":3,\"command\":[1],\"epc\":{}}\n",
			   "r.jsonl:1: \"command\"[0] is not a string");
	assert_jsonl_error("{\"event\":\"command\",\"line\":3,\"command\":[],\"epc\":{}}\n",
			   "r.jsonl:1: \"epc\": \"epc\" has no \"nodes\" array");
	/* A good line, then one whose pages do not add up. */
	jl_command(line, sizeof(line), 4, "\"x\"", 256, 1);
	snprintf(text, sizeof(text), "%s%s", line, line);
	memcpy(strstr(text + strlen(line), "\"free\":[255]"), "\"free\":[254]", 12);
	assert_jsonl_error(text,
			   "r.jsonl:2: \"epc\": node 0: free 254 + used 1 + zombie 0 + bad 0 is "
			   "not its total 256");
}

static char *svg_of(const struct report_series *s, const char *title)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(report_svg_write(s, title, c.f), 0);
	return cap_close(&c);
}

#define assert_has(hay, needle)                                                                    \
	do {                                                                                       \
		if (!strstr(hay, needle))                                                          \
			fail_msg("missing: %s", needle);                                           \
	} while (0)

/*
 * Two commands over 720 pixels: columns of 360 from x=80. One node of 256
 * pages (1 MiB) is 180 pixels from y=84 to y=264: 0.703125 pixels a page,
 * so "a" at 128 pages reaches y=174; the y axis steps by 0.25 MiB.
 */
static void test_svg_two_commands(void **state)
{
	struct report_series *s = NULL;
	char *text = jsonl_two(), why[256], *svg;

	(void)state;
	assert_int_equal(
	    report_series_read_jsonl(text, strlen(text), "r.jsonl", &s, why, sizeof(why)), 0);
	svg = svg_of(s, "EPC <&> \"now\"");
	assert_has(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" height=\"330\" "
			"viewBox=\"0 0 1000 330\"");
	assert_has(svg, "<text x=\"80\" y=\"28\" class=\"title\">EPC &lt;&amp;&gt; "
			"&quot;now&quot;</text>");
	assert_has(svg, "<text x=\"80\" y=\"76\" class=\"panel-title\">node 0: 1 MiB of EPC "
			"(256 pages)</text>");
	/* "a": nothing in the first column, 128 pages in the second. */
	assert_has(svg, "<path d=\"M80 264H440V174H800V264H80Z\" fill=\"#0072b2\"/>");
	/* Nothing else is stacked: no host, zombie or bad layer. */
	assert_null(strstr(svg, "#8c8c8c"));
	assert_null(strstr(svg, "#a50f15"));
	assert_has(svg, "<line x1=\"80\" y1=\"219\" x2=\"800\" y2=\"219\" class=\"grid\"/>\n"
			"<text x=\"74\" y=\"223\" class=\"ytick\">0.25</text>");
	assert_has(svg, "<text x=\"74\" y=\"88\" class=\"ytick\">1</text>");
	assert_null(strstr(svg, ">1.25<"));
	assert_has(svg, ">EPC (MiB)</text>");
	/* Command numbers and scenario lines at the columns' middles. */
	assert_has(svg, "<line x1=\"260\" y1=\"264\" x2=\"260\" y2=\"268\" class=\"tick\"/>\n"
			"<text x=\"260\" y=\"280\" class=\"xtick\">1</text>\n"
			"<text x=\"260\" y=\"294\" class=\"xline\">10</text>");
	assert_has(svg, "<text x=\"620\" y=\"280\" class=\"xtick\">2</text>\n"
			"<text x=\"620\" y=\"294\" class=\"xline\">12</text>");
	/* The legend, top down: free, then "a". */
	assert_has(svg, "<rect x=\"824\" y=\"84\" width=\"12\" height=\"12\" fill=\"#ffffff\" "
			"stroke=\"#999999\"/><text x=\"842\" y=\"94\">free</text>\n"
			"<rect x=\"824\" y=\"104\" width=\"12\" height=\"12\" fill=\"#0072b2\"/>"
			"<text x=\"842\" y=\"114\">a</text>");
	/* The tooltip of each column. */
	assert_has(svg, "<rect x=\"440\" y=\"84\" width=\"360\" height=\"180\" class=\"col\">"
			"<title>command 2, line 12: guest a boot</title></rect>");
	assert_has(svg, "</svg>\n");
	free(svg);
	/* The default title names the scenario. */
	svg = svg_of(s, NULL);
	assert_has(svg, "class=\"title\">EPC per NUMA node after each command: s.vsgx</text>");
	free(svg);
	report_series_free(s);
	free(text);
}

/*
 * Three commands (columns of 240) on nodes 0 and 3, the second panel 224
 * pixels lower (180 + 44); node 3 only from the second command on. Node 0:
 * vm "x" 64 then 32 then 32 of 128 pages, the host 0, 16, 16, a zombie page
 * at the end. 180/128 = 1.40625 pixels a page.
 */
static void test_svg_layers_and_nodes(void **state)
{
	static const struct report_vm x1[] = { { "x", { 64 } } };
	static const struct report_vm x2[] = { { "x", { 32, 0 } } };
	struct report_series *s;
	struct report_snapshot snap = { 0 };
	char *svg;

	(void)state;
	assert_int_equal(report_series_create(&s), 0);
	snap.nr_nodes = 1;
	snap.nodes[0] = (struct report_node){ 0, 128, 64, 64, 0, 0 };
	snap.nr_vms = 1;
	snap.vms = x1;
	assert_int_equal(report_series_add(s, 5, "one", &snap), 0);
	snap.nr_nodes = 2;
	snap.nodes[0] = (struct report_node){ 0, 128, 80, 48, 0, 0 };
	snap.nodes[1] = (struct report_node){ 3, 256, 256, 0, 0, 0 };
	snap.vms = x2;
	assert_int_equal(report_series_add(s, 6, "two", &snap), 0);
	snap.nodes[0] = (struct report_node){ 0, 128, 79, 48, 1, 0 };
	assert_int_equal(report_series_add(s, 9, "three <x>", &snap), 0);
	/* One that does not add up is refused and not added. */
	snap.nodes[0].free = 1;
	assert_int_equal(report_series_add(s, 10, "bad", &snap), -EINVAL);
	assert_int_equal(report_series_len(s), 3);

	svg = svg_of(s, NULL);
	assert_has(svg, "height=\"554\"");
	/* x: y from 264 - 64*1.40625 = 174 to 264 - 32*1.40625 = 219. */
	assert_has(svg, "<path d=\"M80 174H320V219H800V264H80Z\" fill=\"#0072b2\"/>");
	/* The host's own on top of x: 16 pages from the second command, bottoms following x. */
	assert_has(svg, "<path d=\"M80 174H320V196.5H800V219H320V174H80Z\" fill=\"#8c8c8c\"/>");
	/* The zombie page in the last column only. */
	assert_has(svg, "<path d=\"M80 174H320V196.5H560V195.09H800V196.5H320V174H80Z\" "
			"fill=\"#a50f15\"/>");
	assert_has(svg, "<g class=\"panel\" id=\"node3\">\n<text x=\"80\" y=\"300\" "
			"class=\"panel-title\">node 3: 1 MiB of EPC (256 pages)</text>");
	/* The axis under the last panel (bottom at 84 + 224 + 180 = 488). */
	assert_has(svg, "<text x=\"200\" y=\"504\" class=\"xtick\">1</text>\n"
			"<text x=\"200\" y=\"518\" class=\"xline\">5</text>");
	assert_has(svg, "<title>command 3, line 9: three &lt;x&gt;</title>");
	/* The legend shows what appears: free, zombie, host, x; not bad. */
	assert_has(svg, ">free</text>\n<rect x=\"824\" y=\"104\" width=\"12\" height=\"12\" "
			"fill=\"#a50f15\"/><text x=\"842\" y=\"114\">zombie</text>\n"
			"<rect x=\"824\" y=\"124\" width=\"12\" height=\"12\" fill=\"#8c8c8c\"/>"
			"<text x=\"842\" y=\"134\">host (its enclaves)</text>\n"
			"<rect x=\"824\" y=\"144\" width=\"12\" height=\"12\" fill=\"#0072b2\"/>"
			"<text x=\"842\" y=\"154\">x</text>");
	assert_null(strstr(svg, ">bad<"));
	free(svg);
	report_series_free(s);
}

/* Many commands: labels thinned to one every 24 pixels or more; widths with decimals. */
static void test_svg_many_commands(void **state)
{
	static const struct report_vm none[] = { { "v", { 0 } } };
	struct report_snapshot snap = { 0 };
	struct report_series *s;
	char *svg;

	(void)state;
	assert_int_equal(report_series_create(&s), 0);
	snap.nr_nodes = 1;
	snap.nodes[0] = (struct report_node){ 0, 8192ULL * 256 * 2, 8192ULL * 256 * 2, 0, 0, 0 };
	snap.nr_vms = 1;
	snap.vms = none;
	for (unsigned int i = 0; i < 70; i++)
		assert_int_equal(report_series_add(s, i + 1, "c", &snap), 0);
	svg = svg_of(s, NULL);
	/* 720 / 70 = 10.29 pixels a column: every third is labelled. */
	assert_has(svg, "<text x=\"85.14\" y=\"280\" class=\"xtick\">1</text>");
	assert_has(svg, "<text x=\"116\" y=\"280\" class=\"xtick\">4</text>");
	assert_null(strstr(svg, "class=\"xtick\">2<"));
	assert_has(svg, "<rect x=\"90.29\" y=\"84\" width=\"10.29\" height=\"180\" class=\"col\">");
	/* 16 GiB of EPC: the axis is in GiB, by 4. */
	assert_has(svg, ">EPC (GiB)</text>");
	assert_has(svg, "class=\"ytick\">16</text>");
	assert_has(svg, "class=\"ytick\">4</text>");
	/* Nothing held: no layer at all, only "free" in the legend. */
	assert_null(strstr(svg, "<path"));
	assert_null(strstr(svg, ">v</text>"));
	free(svg);
	/* 400 commands: 1.8 pixels a column, too thin for tooltips; a label every 14th. */
	for (unsigned int i = 70; i < 400; i++)
		assert_int_equal(report_series_add(s, i + 1, "c", &snap), 0);
	svg = svg_of(s, NULL);
	assert_null(strstr(svg, "class=\"col\""));
	assert_has(svg, "<text x=\"106.1\" y=\"280\" class=\"xtick\">15</text>");
	assert_null(strstr(svg, "class=\"xtick\">14<"));
	free(svg);
	report_series_free(s);
}

static void test_svg_empty(void **state)
{
	struct report_series *s;
	struct capture c;

	(void)state;
	assert_int_equal(report_series_create(&s), 0);
	cap_open(&c);
	assert_int_equal(report_svg_write(s, NULL, c.f), -EINVAL);
	free(cap_close(&c));
	report_series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_json),
		cmocka_unit_test(test_snapshot_json_round_trip),
		cmocka_unit_test(test_snapshot_json_errors),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_jsonl_read),
		cmocka_unit_test(test_jsonl_errors),
		cmocka_unit_test(test_svg_two_commands),
		cmocka_unit_test(test_svg_layers_and_nodes),
		cmocka_unit_test(test_svg_many_commands),
		cmocka_unit_test(test_svg_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
