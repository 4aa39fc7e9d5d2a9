"""The page shell: navigation and dashboard panels collected from the domains, form helpers, headers, i18n."""
