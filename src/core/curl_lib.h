/* libcurl, loaded at run time: only `chipaudit push` (and `audit --push`)
 * opens a network connection, and linking libcurl made every start of the
 * binary load it and the twenty libraries it links (GnuTLS, Kerberos, LDAP,
 * SSH, ...). The types and constants are curl.h's; the library is not
 * linked. */
#ifndef CHIPAUDIT_CORE_CURL_LIB_H
#define CHIPAUDIT_CORE_CURL_LIB_H

#include <stddef.h>

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#define CURL_LIBRARY "libcurl.so.4"

struct curl_lib {
	void *dl;
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_reset)(CURL *curl);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	void (*easy_cleanup)(CURL *curl);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
	void (*slist_free_all)(struct curl_slist *list);
};

/* The library, loaded on first use; NULL with err "libcurl.so.4: why
 * (install libcurl4)" when it cannot be loaded or lacks a function. */
const struct curl_lib *curl_lib(char *err, size_t errlen);

#endif
