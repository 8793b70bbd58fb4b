#include "core/counters.h"

#include <string.h>

static uint64_t values[COUNTER__COUNT];

static const char *const names[COUNTER__COUNT] = {
#define X(id, name, help) [COUNTER_##id] = name,
	COUNTER_LIST(X)
#undef X
};

void counter_inc(enum counter_id id)
{
	if (id < COUNTER__COUNT)
		values[id]++;
}

uint64_t counter_get(enum counter_id id)
{
	return id < COUNTER__COUNT ? values[id] : 0;
}

void counters_reset(void)
{
	memset(values, 0, sizeof(values));
}

json_t *counters_to_json(void)
{
	json_t *obj = json_object();

	for (int i = 0; obj && i < COUNTER__COUNT; i++)
		json_object_set_new(obj, names[i], json_integer((json_int_t)values[i]));
	return obj;
}

json_t *stat_rows_json(const struct stat_row *rows, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++)
		json_object_set_new(o, rows[i].name, json_integer((json_int_t)rows[i].value));
	return o;
}
