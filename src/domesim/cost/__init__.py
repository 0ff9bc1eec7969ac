"""Lifecycle cost and fielding schedule of architecture elements (design.md section 2, ``cost/``).

Pure functions on plain dataclasses and arrays, money in US dollars of one stated year:
``deflator`` converts between dollar years, ``schedule`` fields units year by year under production and
launch rates, ``lifecycle`` prices development, procurement (learning curve), launch, replenishment and
operations over a horizon and rolls them up by layer, element and country. Imports only ``domesim.core``
and ``domesim.errors``; the scenario layer builds the element list from a scenario and the catalogue.
"""
