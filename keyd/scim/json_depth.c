/* scim_json_depth_ok: one pass over the bytes, tracking strings. */
#include "keyd/scim/json_depth.h"

int
scim_json_depth_ok(const char *s, size_t len, int max)
{
	size_t	i;
	int	depth = 0, in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"')
			in_str = 1;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > max)
				return 0;
		} else if (s[i] == '}' || s[i] == ']')
			depth--;
	}
	return 1;
}
