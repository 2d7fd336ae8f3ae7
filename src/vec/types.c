/* types.c: type names and sizes (see types.h). Layer: vec. */
#include "vec/types.h"

#include <string.h>

static const char *const names[] = {
#define TYPE_NAME(id, name, ctype) name,
	TYPE_LIST(TYPE_NAME)
#undef TYPE_NAME
};

static const size_t sizes[] = {
#define TYPE_SIZE(id, name, ctype) sizeof(ctype),
	TYPE_LIST(TYPE_SIZE)
#undef TYPE_SIZE
};

const char *type_name(TypeId t)
{
	return (unsigned)t < T__COUNT ? names[t] : "?";
}

size_t type_size(TypeId t)
{
	return sizes[t];
}

/* Spellings accepted in SQL, PostgreSQL's aliases included. */
static const struct {
	const char *name;
	TypeId id;
} aliases[] = {
	{"boolean", T_BOOL},
	{"bool", T_BOOL},
	{"smallint", T_INT2},
	{"int2", T_INT2},
	{"integer", T_INT4},
	{"int", T_INT4},
	{"int4", T_INT4},
	{"bigint", T_INT8},
	{"int8", T_INT8},
	{"real", T_FLOAT4},
	{"float4", T_FLOAT4},
	{"double precision", T_FLOAT8},
	{"double", T_FLOAT8},
	{"float8", T_FLOAT8},
	{"float", T_FLOAT8},
	{"numeric", T_NUMERIC},
	{"decimal", T_NUMERIC},
	{"varchar", T_VARCHAR},
	{"character varying", T_VARCHAR},
	{"text", T_VARCHAR},
	{"string", T_VARCHAR},
	{"char", T_VARCHAR},
	{"character", T_VARCHAR},
	{"timestamp", T_TIMESTAMP},
	{"timestamp without time zone", T_TIMESTAMP},
	{"timestamptz", T_TIMESTAMPTZ},
	{"timestamp with time zone", T_TIMESTAMPTZ},
	{"date", T_DATE},
	{"interval", T_INTERVAL},
};

TypeId type_elem(TypeId t)
{
	switch (t) {
#define ELEM_CASE(id, name, elem)                                                                  \
	case id:                                                                                   \
		return elem;
		ARRAY_TYPES(ELEM_CASE)
#undef ELEM_CASE
	default:
		return T_NULL;
	}
}

TypeId type_array_of(TypeId t)
{
	if (t == T_UNKNOWN)
		t = T_VARCHAR;
#define ARRAY_OF(id, name, elem)                                                                   \
	if (t == elem)                                                                             \
		return id;
	ARRAY_TYPES(ARRAY_OF)
#undef ARRAY_OF
	return T_NULL;
}

bool type_from_name(const char *name, TypeId *out)
{
	/* "integer[]", "text[]", "_int4": the array of the element type. */
	size_t n = strlen(name);
	if ((n > 2 && strcmp(name + n - 2, "[]") == 0) || (n > 1 && name[0] == '_')) {
		char elem[64];
		bool under = name[0] == '_';
		size_t en = under ? n - 1 : n - 2;
		if (en >= sizeof elem)
			return false;
		memcpy(elem, name + under, en);
		elem[en] = '\0';
		TypeId et;
		if (!type_from_name(elem, &et) || (*out = type_array_of(et)) == T_NULL)
			return false;
		return true;
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strcmp(aliases[i].name, name) == 0) {
			*out = aliases[i].id;
			return true;
		}
	}
	return false;
}
