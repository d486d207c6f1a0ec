/* SPDX-License-Identifier: ISC */
/* Unit tests: the capped buffer and HTML escaping every page relies on. */
#include <criterion/criterion.h>
#include <errno.h>

#include "buf.h"

Test(buf, markup_is_escaped_for_html)
{
	struct buf b;

	buf_init(&b, 1024);
	cr_assert_eq(buf_put_html(&b, "<script>alert('x')</script> & \"q\""), 0);
	cr_assert_str_eq(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	buf_fini(&b);
}

Test(buf, a_buffer_never_grows_past_its_cap)
{
	struct buf b;

	buf_init(&b, 8);
	cr_assert_eq(buf_puts(&b, "12345678"), 0);
	cr_assert_eq(buf_puts(&b, "9"), -E2BIG);
	cr_assert_eq(b.len, 8);
	cr_assert_str_eq(b.data, "12345678");
	cr_assert_eq(buf_printf(&b, "%d", 1), -E2BIG);
	buf_fini(&b);
}
